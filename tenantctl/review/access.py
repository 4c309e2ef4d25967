"""Access audit: which group holds which role in which namespace, across the fleet."""

from __future__ import annotations

from dataclasses import dataclass

from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Tenant
from tenantctl.objects.desired_state import fleet_state


@dataclass(frozen=True, order=True)
class Grant:
    group: str
    role: str
    namespace: str
    tenant: str


def grants(tenants: list[Tenant], settings: Settings, group: str | None = None,
           tenant: str | None = None) -> list[Grant]:
    """Grants from the RoleBindings the platform creates, optionally for one group or one tenant."""
    found = [
        Grant(subject["name"], obj["roleRef"]["name"], state.namespace, state.tenant)
        for state in fleet_state(tenants, settings)
        for obj in state.objects if obj["kind"] == "RoleBinding"
        for subject in obj["subjects"]
    ]
    return sorted(g for g in found if (group is None or g.group == group) and (tenant is None or g.tenant == tenant))
