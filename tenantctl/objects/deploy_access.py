"""Desired state of keyless deploy access: one RoleBinding per pipeline identity, binding the User that the API
server makes of the pipeline's OIDC token to the platform ClusterRole `tenant-deployer`
(platform/bootstrap/tenant-deployer.yaml)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Tenant
from tenantctl.rules.deploy import DEPLOYER_ROLE, ResolvedIdentity, environment_identities

LABEL_PREFIX = "tenant-platform"
DEPLOY_BINDING_PREFIX = "tenant-deploy-"
DEPLOY_LABEL = f"{LABEL_PREFIX}/deploy-access"
MAX_NAME = 63

Obj = dict[str, Any]


def binding_name(identity: ResolvedIdentity) -> str:
    """`tenant-deploy-<readable part>-<hash>`: readable, stable for one identity, unique per user name."""
    digest = hashlib.sha256(identity.username.encode()).hexdigest()[:8]
    readable = re.sub(r"[^a-z0-9]+", "-", identity.short.lower()).strip("-")
    room = MAX_NAME - len(DEPLOY_BINDING_PREFIX) - len(digest) - 1
    return f"{DEPLOY_BINDING_PREFIX}{readable[:room].rstrip('-')}-{digest}"


def deploy_role_bindings(tenant: Tenant, env_name: str, labels: dict[str, str], settings: Settings) -> list[Obj]:
    """RoleBindings of the environment's `deploy:` identities (none for a decommissioned tenant)."""
    if not tenant.active:
        return []
    objects = []
    for identity in environment_identities(tenant, env_name, settings):
        metadata = {
            "name": binding_name(identity),
            "namespace": identity.namespace,
            "labels": dict(sorted({**labels, DEPLOY_LABEL: "true"}.items())),
            "annotations": {f"{LABEL_PREFIX}/ci-provider": identity.provider,
                            f"{LABEL_PREFIX}/deploy-identity": identity.description},
        }
        objects.append({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": metadata,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": DEPLOYER_ROLE},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": identity.username}],
        })
    return objects
