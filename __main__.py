"""Pulumi entry point: one stack per cluster (see platform/settings.yaml `clusters`)."""

from components.program import run

run()
