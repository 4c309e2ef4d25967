"""Compliance evidence: which BIO controls a tenant's generated objects support, with the objects as evidence.

BIO (Baseline Informatiebeveiliging Overheid) control numbers follow ISO 27002:2013, as BIO does.
Statuses: covered, not covered, not applicable. Evidence names the objects (`Kind namespace/name`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Tenant
from tenantctl.objects.desired_state import EnvironmentState, Obj, object_id, tenant_state
from tenantctl.review.deploy_compliance import deploy_credentials, is_deploy_binding

Status = Literal["covered", "not covered", "not applicable"]


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    also: str = ""


BACKUP = Control("12.3.1", "Backup of information", "cloud theme U.04 (data recovery)")
ACCESS = Control("9.2", "User access management")
SEGMENTATION = Control("13.1.3", "Segregation in networks")
CHANGE = Control("12.1.2", "Change management")
CAPACITY = Control("12.1.3", "Capacity management")
DEPLOY_CREDENTIALS = Control("9.2.4", "Management of secret authentication information",
                             "deploy pipelines: no shared or long-lived credentials")
CONTROLS = (BACKUP, ACCESS, DEPLOY_CREDENTIALS, SEGMENTATION, CHANGE, CAPACITY)


@dataclass(frozen=True)
class ControlResult:
    control: Control
    status: Status
    evidence: tuple[str, ...]
    note: str = ""


def _of_kind(state: EnvironmentState, kind: str) -> list[Obj]:
    return [obj for obj in state.objects if obj["kind"] == kind]


def backup_result(states: list[EnvironmentState]) -> ControlResult:
    evidence, missing = [], []
    for state in states:
        schedules = _of_kind(state, "Schedule")
        for obj in schedules:
            spec = obj["spec"]
            evidence.append(f"{object_id(obj)} (cron `{spec['schedule']}`, kept {spec['template']['ttl']})")
        if not schedules:
            missing.append(state.namespace)
    if not missing:
        return ControlResult(BACKUP, "covered", tuple(evidence))
    return ControlResult(BACKUP, "not covered", tuple(evidence), f"no backups for: {', '.join(missing)}")


def access_result(tenant: Tenant, states: list[EnvironmentState]) -> ControlResult:
    if not tenant.active:
        return ControlResult(ACCESS, "covered", (), f"decommissioned: all RoleBindings removed, access revoked "
                             f"(data kept until {tenant.retain_until})")
    evidence = tuple(f"{object_id(obj)} → ClusterRole {obj['roleRef']['name']}: "
                     f"{', '.join(subject['name'] for subject in obj['subjects'])}"
                     for state in states for obj in _of_kind(state, "RoleBinding") if not is_deploy_binding(obj))
    if not evidence:
        return ControlResult(ACCESS, "not covered", (), "no access groups: add groups under `access:`")
    return ControlResult(ACCESS, "covered", evidence, "access only through identity-provider groups; "
                         "never cluster-admin")


def segmentation_result(states: list[EnvironmentState]) -> ControlResult:
    evidence = tuple(object_id(obj) for state in states for obj in _of_kind(state, "NetworkPolicy"))
    denied = {obj["metadata"]["namespace"] for state in states for obj in _of_kind(state, "NetworkPolicy")
              if obj["metadata"]["name"] == "default-deny-ingress"}
    missing = [state.namespace for state in states if state.namespace not in denied]
    if missing:
        return ControlResult(SEGMENTATION, "not covered", evidence, f"no default-deny for: {', '.join(missing)}")
    return ControlResult(SEGMENTATION, "covered", evidence, "ingress denied by default; allowed from the same "
                         "namespace and the ingress controller")


def change_result(tenant: Tenant) -> ControlResult:
    return ControlResult(CHANGE, "covered", (f"tenants/{tenant.name}.yaml", ".github/CODEOWNERS"),
                         "changes only through reviewed pull requests; applied from main by CI")


def capacity_result(states: list[EnvironmentState]) -> ControlResult:
    evidence = tuple(object_id(obj) for state in states for kind in ("ResourceQuota", "LimitRange")
                     for obj in _of_kind(state, kind))
    return ControlResult(CAPACITY, "covered" if evidence else "not covered", evidence,
                         "quota caps cpu, memory, storage, volumes and pods per namespace")


def tenant_compliance(tenant: Tenant, settings: Settings) -> list[ControlResult]:
    """Every control for one tenant, in CONTROLS order."""
    states = tenant_state(tenant, settings)
    return [backup_result(states), access_result(tenant, states),
            ControlResult(DEPLOY_CREDENTIALS, *deploy_credentials(tenant, states, settings)),
            segmentation_result(states),
            change_result(tenant), capacity_result(states)]
