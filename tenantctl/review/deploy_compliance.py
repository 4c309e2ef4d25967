"""BIO 9.2.4 evidence for deploy access: pipelines authenticate with their CI system's short-lived OIDC token,
one identity per repository and environment; no ServiceAccount token, kubeconfig or password is stored."""

from __future__ import annotations

from typing import Literal

from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Tenant
from tenantctl.objects.deploy_access import DEPLOY_LABEL
from tenantctl.objects.desired_state import EnvironmentState, Obj, object_id
from tenantctl.rules.deploy import DEPLOYER_ROLE

Status = Literal["covered", "not covered", "not applicable"]


def is_deploy_binding(obj: Obj) -> bool:
    return bool(obj["kind"] == "RoleBinding" and obj["metadata"].get("labels", {}).get(DEPLOY_LABEL) == "true")


def deploy_credentials(tenant: Tenant, states: list[EnvironmentState],
                       settings: Settings) -> tuple[Status, tuple[str, ...], str]:
    """(status, evidence, note) for the tenant's deploy pipelines."""
    if not tenant.active:
        return "covered", (), "decommissioned: deploy access revoked with all other access"
    bindings = [obj for state in states for obj in state.objects if is_deploy_binding(obj)]
    if not bindings:
        return ("not applicable", (), "no deploy pipelines: add `deploy:` to an environment to deploy without a "
                "stored secret (docs/deploy-access.md)")
    prefixes = {provider.username_prefix: provider for provider in settings.ci_identity_providers}
    evidence, wrong = [], []
    for obj in bindings:
        for subject in obj["subjects"]:
            provider = next((p for prefix, p in prefixes.items() if subject["name"].startswith(prefix)), None)
            if subject["kind"] != "User" or provider is None or obj["roleRef"]["name"] != DEPLOYER_ROLE:
                wrong.append(object_id(obj))
                continue
            evidence.append(f"{object_id(obj)} → ClusterRole {DEPLOYER_ROLE}: {subject['name']} "
                            f"(OIDC token of {provider.issuer}, audience {provider.audience})")
    if wrong:
        return "not covered", tuple(evidence), f"not a keyless CI identity: {', '.join(wrong)}"
    return ("covered", tuple(evidence), "pipelines use their CI system's short-lived OIDC token, one identity per "
            "repository and environment; no shared account, no ServiceAccount token or kubeconfig stored")
