"""Access audit: which group holds which role in which namespace, across the fleet."""

from __future__ import annotations

from dataclasses import dataclass

from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Tenant
from tenantctl.objects.desired_state import fleet_state
from tenantctl.rules.deploy import tenant_identities


@dataclass(frozen=True, order=True)
class Grant:
    group: str
    role: str
    namespace: str
    tenant: str


def grants(tenants: list[Tenant], settings: Settings, group: str | None = None,
           tenant: str | None = None) -> list[Grant]:
    """Group grants from the RoleBindings the platform creates, optionally for one group or one tenant
    (pipelines: `deploy_grants`)."""
    found = [
        Grant(subject["name"], obj["roleRef"]["name"], state.namespace, state.tenant)
        for state in fleet_state(tenants, settings)
        for obj in state.objects if obj["kind"] == "RoleBinding"
        for subject in obj["subjects"] if subject["kind"] == "Group"
    ]
    return sorted(g for g in found if (group is None or g.group == group) and (tenant is None or g.tenant == tenant))


@dataclass(frozen=True, order=True)
class DeployGrant:
    """A CI pipeline that can deploy into a namespace with its OIDC token (ClusterRole tenant-deployer)."""

    namespace: str
    user: str
    pipeline: str
    provider: str
    production: bool
    tenant: str


def deploy_grants(tenants: list[Tenant], settings: Settings, tenant: str | None = None) -> list[DeployGrant]:
    """Who can deploy where: every pipeline identity of every (active) tenant environment."""
    return sorted(DeployGrant(identity.namespace, identity.username, identity.description, identity.provider,
                              identity.production, identity.tenant)
                  for item in tenants if item.active and tenant in (None, item.name)
                  for identity in tenant_identities(item, settings))
