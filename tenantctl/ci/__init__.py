"""Helpers the GitHub workflows call: kept here (tested Python), not as inline shell in the workflows."""
