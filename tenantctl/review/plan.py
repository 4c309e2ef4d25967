"""The offline plan: desired state at a base revision vs the working tree, per tenant, with cost.

Credential-free and fast, so it runs for every pull request (forks included). Removals of namespaces and
volumes are collected separately so every output can put them first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from deepdiff import DeepDiff

from tenantctl.checks.loading import Fleet
from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Tenant
from tenantctl.objects.desired_state import DATA_KINDS, Obj, object_id, object_key, tenant_objects
from tenantctl.review.cost import TenantCost, tenant_cost
from tenantctl.review.deploy_changes import DeployChange, deploy_changes
from tenantctl.review.engine_rules import engine_problems
from tenantctl.rules.domain import approval_reasons
from tenantctl.source.problems import Problem

NOT_PRESENT = None

ChangeKind = Literal["added", "changed", "removed"]
TenantStatus = Literal["new", "changed", "removed", "unchanged"]


@dataclass(frozen=True)
class FieldChange:
    """One field of one object: `spec.hard.requests.cpu 4 → 8`."""

    path: str
    before: Any
    after: Any

    def text(self) -> str:
        return f"{self.path} {_show(self.before)} → {_show(self.after)}"


def _show(value: Any) -> str:
    return "(none)" if value is NOT_PRESENT else str(value)


@dataclass(frozen=True)
class ObjectChange:
    change: ChangeKind
    kind: str
    object_id: str
    fields: tuple[FieldChange, ...] = ()

    @property
    def loses_data(self) -> bool:
        """A removed Namespace or PersistentVolumeClaim: data would be deleted."""
        return self.change == "removed" and self.kind in DATA_KINDS


@dataclass
class TenantPlan:
    tenant: str
    status: TenantStatus
    changes: list[ObjectChange]
    cost_before: Decimal
    cost_after: Decimal
    approvals: list[str] = field(default_factory=list)
    decommissioned: bool = False
    retention_ended: bool = False  # removed after the base revision showed it `released`
    base_released: bool = False  # the base registers its data unprotected: Pulumi may forget (not delete) it
    environment_costs: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # env -> (before, after)
    owner: tuple[str, str] = ("", "")  # (team, cost centre), to recognise renames
    deploy: list[DeployChange] = field(default_factory=list)  # deploy identities added/removed


    @property
    def cost_delta(self) -> Decimal:
        return self.cost_after - self.cost_before

    def count(self, change: ChangeKind) -> int:
        return sum(1 for item in self.changes if item.change == change)


@dataclass
class Plan:
    base: str | None
    currency: str
    price_label: str
    tenants: list[TenantPlan]
    # Filled in by tenantctl.review.gate.apply_gate: what else changes what gets applied.
    settings_changes: tuple[FieldChange, ...] = ()
    program_files: list[str] = field(default_factory=list)
    workflow_files: list[str] = field(default_factory=list)
    other_files: list[str] | None = None  # None: the changed files are not known (no base)
    blocking: list[str] = field(default_factory=list)  # errors that fail the plan besides data removals
    platform_approvals: list[str] = field(default_factory=list)  # approvals not tied to one tenant
    warnings: list[str] = field(default_factory=list)
    provenance: str = ""  # which code computed this plan, from which data
    refused: list[Problem] = field(default_factory=list)  # changes the engine cannot apply (engine_rules.py)

    @property
    def touched(self) -> list[TenantPlan]:
        return [plan for plan in self.tenants if plan.status != "unchanged"]

    @property
    def unchanged(self) -> list[TenantPlan]:
        return [plan for plan in self.tenants if plan.status == "unchanged"]

    @property
    def data_removals(self) -> list[tuple[str, ObjectChange]]:
        return [(plan.tenant, change) for plan in self.tenants for change in plan.changes if change.loses_data]

    @property
    def blocking_removals(self) -> list[tuple[str, ObjectChange]]:
        """Data removals that are not the end of a finished decommission: these fail the plan."""
        ended = {plan.tenant for plan in self.tenants if plan.retention_ended or plan.base_released}
        return [(tenant, change) for tenant, change in self.data_removals if tenant not in ended]

    @property
    def fails(self) -> bool:
        """The plan fails (exit 1): data would be deleted, or a gate rule blocks the change."""
        return bool(self.blocking_removals or self.blocking)

    @property
    def rename_hints(self) -> list[str]:
        """Removed and added tenants or environments that look like a rename (which would recreate namespaces)."""
        removed = [plan for plan in self.tenants if plan.status == "removed"]
        added = [plan for plan in self.tenants if plan.status == "new"]
        hints = [f"tenant `{old.tenant}` removed and `{new.tenant}` added for the same owner: renaming deletes and "
                 "recreates namespaces; keep the old name"
                 for old in removed for new in added if old.owner == new.owner]
        for plan in self.tenants:
            gone = {c.object_id.split()[1] for c in plan.changes if c.kind == "Namespace" and c.change == "removed"}
            came = {c.object_id.split()[1] for c in plan.changes if c.kind == "Namespace" and c.change == "added"}
            if plan.status == "changed" and gone and came:
                hints.append(f"tenant `{plan.tenant}`: namespace(s) {', '.join(sorted(gone))} removed and "
                             f"{', '.join(sorted(came))} added: renaming an environment deletes its namespace and "
                             "volumes; keep the old name")
        return hints

    @property
    def new_production_deployers(self) -> list[tuple[str, DeployChange]]:
        """New ways into production: each needs the owning team's review."""
        return [(plan.tenant, change) for plan in self.tenants for change in plan.deploy
                if change.change == "added" and change.production]

    @property
    def cost_before(self) -> Decimal:
        return sum((plan.cost_before for plan in self.tenants), Decimal(0))

    @property
    def cost_after(self) -> Decimal:
        return sum((plan.cost_after for plan in self.tenants), Decimal(0))

    @property
    def approvals(self) -> dict[str, list[str]]:
        return {plan.tenant: plan.approvals for plan in self.touched if plan.approvals}


def field_changes(before: Obj, after: Obj) -> tuple[FieldChange, ...]:
    """Field-level differences of two versions of one object, as dotted paths."""
    diff = DeepDiff(before, after, view="tree")
    changes = []
    for items in diff.values():
        for item in items:
            path = ".".join(f"[{part}]" if isinstance(part, int) else str(part)
                            for part in item.path(output_format="list")).replace(".[", "[")
            changes.append(FieldChange(path, _value(item.t1), _value(item.t2)))
    return tuple(sorted(changes, key=lambda change: change.path))


def _value(value: Any) -> Any:
    return NOT_PRESENT if type(value).__name__ == "NotPresent" else value


def object_changes(before: list[Obj], after: list[Obj]) -> list[ObjectChange]:
    """Added, changed and removed objects between two object lists, in kind/namespace/name order."""
    old = {object_key(obj): obj for obj in before}
    new = {object_key(obj): obj for obj in after}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            changes.append(ObjectChange("removed", old[key]["kind"], object_id(old[key])))
        elif key not in old:
            changes.append(ObjectChange("added", new[key]["kind"], object_id(new[key])))
        elif old[key] != new[key]:
            changes.append(ObjectChange("changed", new[key]["kind"], object_id(new[key]),
                                        field_changes(old[key], new[key])))
    return changes


def _cost(tenant: Tenant | None, settings: Settings) -> TenantCost | None:
    return tenant_cost(tenant, settings) if tenant else None


def tenant_plan(name: str, base: Tenant | None, head: Tenant | None, base_settings: Settings,
                head_settings: Settings, today: datetime.date | None = None) -> TenantPlan:  # noqa: ARG001
    # `today` no longer decides removals (issue 13): only a base showing `status: released` does.
    before = tenant_objects(base, base_settings) if base else []
    after = tenant_objects(head, head_settings) if head else []
    changes = object_changes(before, after)
    status: TenantStatus = ("new" if base is None else "removed" if head is None
                            else "changed" if changes else "unchanged")
    cost_before, cost_after = _cost(base, base_settings), _cost(head, head_settings)
    old = {env.environment: env.yearly for env in (cost_before.environments if cost_before else ())}
    new = {env.environment: env.yearly for env in (cost_after.environments if cost_after else ())}
    either = head or base
    assert either is not None, "a tenant plan has a base or a head"
    owner = either.owner
    return TenantPlan(
        tenant=name, status=status, changes=changes,
        cost_before=cost_before.yearly if cost_before else Decimal(0),
        cost_after=cost_after.yearly if cost_after else Decimal(0),
        # Judged against the BASE settings: a PR cannot raise the thresholds it is judged by.
        approvals=approval_reasons(head, base_settings) if head else [],
        decommissioned=bool(head and not head.active),
        # Only a base that already registers the objects unprotected lets Pulumi forget them on removal
        # (pulumi/pulumi pkg/resource/deploy/step.go:646-648); a passed retain_until alone is not enough.
        retention_ended=bool(head is None and base is not None and base.released),
        base_released=bool(base is not None and base.released),
        environment_costs={env: (old.get(env, Decimal(0)), new.get(env, Decimal(0)))
                           for env in sorted(old.keys() | new.keys()) if old.get(env) != new.get(env)},
        owner=(owner.team, owner.cost_center),
        deploy=deploy_changes(before, after),
    )


def build_plan(base: Fleet | None, head: Fleet, base_settings: Settings, head_settings: Settings,
               base_ref: str | None, *, today: datetime.date | None = None) -> Plan:
    """Plan every tenant of base and head. Without a base, everything is new."""
    old = base.by_name() if base else {}
    new = head.by_name()
    plans = [tenant_plan(name, old.get(name), new.get(name), base_settings, head_settings, today)
             for name in sorted(old.keys() | new.keys())]
    pricing = head_settings.pricing
    refused = engine_problems(base, head, base_settings, head_settings) if base is not None else []
    return Plan(base_ref, pricing.currency, pricing.label, plans, refused=refused,
                blocking=[problem.text() for problem in refused])
