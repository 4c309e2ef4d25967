"""What every guardrail module shares: the policy metadata type, label names, and reading a resource's props."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import EnforcementLevel

from tenantctl.objects.desired_state import LABEL_PREFIX
from tenantctl.objects.registration import KIND_OF_TYPE

PROJECT = "tenant-platform"
TENANT_LABEL = f"{LABEL_PREFIX}/tenant"
REQUIRED_LABELS = tuple(f"{LABEL_PREFIX}/{name}" for name in
                        ("tenant", "environment", "team", "cost-center", "data-classification", "production"))
BIO = "BIO (Baseline Informatiebeveiliging Overheid)"


@dataclass(frozen=True)
class GuardrailSpec:
    """A policy's metadata, readable by reviewers and used for both the pack and `tenantctl check`."""

    id: str
    description: str
    bio_controls: tuple[str, ...]
    remediation: str
    level: EnforcementLevel = EnforcementLevel.MANDATORY


def _kind(resource_type: str) -> str | None:
    return KIND_OF_TYPE.get(resource_type)


def _labels(props: Mapping[str, Any]) -> Mapping[str, str]:
    return (props.get("metadata") or {}).get("labels") or {}


def _name(props: Mapping[str, Any]) -> str:
    return str((props.get("metadata") or {}).get("name", "?"))
