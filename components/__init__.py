"""Pulumi components: a thin adapter from desired-state objects to pulumi-kubernetes resources."""
