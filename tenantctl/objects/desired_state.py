"""Desired state: a tenant becomes plain Kubernetes objects (dicts, exactly as in a manifest).

Pure functions, no Pulumi: the same objects feed Pulumi, `tenantctl render`, the plan and the reports.
Everything is sorted so two runs produce identical output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tenantctl.model.quantity import format_bytes, format_cpu
from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Environment, Tenant
from tenantctl.model.text import label_value
from tenantctl.objects.deploy_access import deploy_role_bindings
from tenantctl.rules.domain import is_production

LABEL_PREFIX = "tenant-platform"
MANAGED_BY = {"app.kubernetes.io/managed-by": "tenant-platform"}
KIND_ORDER = ("Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "RoleBinding",
              "PersistentVolumeClaim", "Schedule")
# Kinds whose loss loses data: never deleted by a Pulumi run or a pull request.
DATA_KINDS = ("Namespace", "PersistentVolumeClaim")
# On the data objects of a `released` tenant: the program registers them unprotected (still retained on delete).
RELEASED_ANNOTATION = f"{LABEL_PREFIX}/released"
QUOTA_NAME = "tenant-quota"
LIMIT_RANGE_NAME = "tenant-defaults"
DEFAULT_DENY_NAME = "default-deny-ingress"

Obj = dict[str, Any]


@dataclass(frozen=True)
class EnvironmentState:
    """The objects of one tenant environment, and where they run."""

    tenant: str
    environment: str
    namespace: str
    cluster: str
    production: bool
    objects: tuple[Obj, ...]


def object_key(obj: Obj) -> tuple[int, str, str]:
    """Sort key and identity of an object: (kind order, namespace, name)."""
    return (KIND_ORDER.index(obj["kind"]), obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


def logical_name(obj: Obj) -> str:
    """`namespace/name`, or `name` for cluster-wide objects: the Pulumi resource name of the object too."""
    meta = obj["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if "namespace" in meta else str(meta["name"])


def object_id(obj: Obj) -> str:
    """`Kind namespace/name` (or `Kind name` for cluster-wide objects), as reviewers read it."""
    return f"{obj['kind']} {logical_name(obj)}"


def fleet_state(tenants: list[Tenant], settings: Settings) -> list[EnvironmentState]:
    """Every environment of every tenant, sorted by namespace."""
    states = [state for tenant in tenants for state in tenant_state(tenant, settings)]
    return sorted(states, key=lambda state: state.namespace)


def fleet_objects(tenants: list[Tenant], settings: Settings) -> list[Obj]:
    """Every object of every tenant, in namespace order."""
    return [obj for state in fleet_state(tenants, settings) for obj in state.objects]


def tenant_state(tenant: Tenant, settings: Settings) -> list[EnvironmentState]:
    return [environment_state(tenant, name, settings) for name in sorted(tenant.environments)]


def tenant_objects(tenant: Tenant, settings: Settings) -> list[Obj]:
    """All objects of a tenant, sorted by kind, namespace and name."""
    objects = [obj for state in tenant_state(tenant, settings) for obj in state.objects]
    return sorted(objects, key=object_key)


def environment_state(tenant: Tenant, env_name: str, settings: Settings) -> EnvironmentState:
    env = tenant.environments[env_name]
    namespace = tenant.namespace(env_name)
    production = is_production(env_name, env, settings)
    labels = _labels(tenant, env_name, production)
    objects: list[Obj] = [
        namespace_object(tenant, namespace, labels),
        resource_quota(namespace, env, labels, settings),
        limit_range(namespace, env, labels, settings),
        *network_policies(namespace, labels, settings),
        *(role_bindings(namespace, tenant, labels) if tenant.active else []),
        *deploy_role_bindings(tenant, env_name, labels, settings),
        *persistent_volume_claims(namespace, env, labels, settings),
    ]
    if env.backups is not None:
        objects.append(backup_schedule(namespace, env, labels, settings))
    if tenant.released:
        for obj in objects:
            if obj["kind"] in DATA_KINDS:
                obj["metadata"].setdefault("annotations", {})[RELEASED_ANNOTATION] = "true"
    cluster = env.cluster or settings.default_cluster
    return EnvironmentState(tenant.name, env_name, namespace, cluster, production,
                            tuple(sorted(objects, key=object_key)))


def _labels(tenant: Tenant, env_name: str, production: bool) -> dict[str, str]:
    return {
        **MANAGED_BY,
        f"{LABEL_PREFIX}/tenant": tenant.name,
        f"{LABEL_PREFIX}/environment": env_name,
        f"{LABEL_PREFIX}/team": label_value(tenant.owner.team),
        f"{LABEL_PREFIX}/cost-center": label_value(tenant.owner.cost_center),
        f"{LABEL_PREFIX}/data-classification": tenant.data_classification,
        f"{LABEL_PREFIX}/production": str(production).lower(),
    }


def _meta(name: str, labels: dict[str, str], namespace: str | None = None) -> Obj:
    meta: Obj = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = dict(sorted(labels.items()))
    return meta


def namespace_object(tenant: Tenant, namespace: str, labels: dict[str, str]) -> Obj:
    """The namespace, with Pod Security Admission `restricted` (enforce, audit, warn)."""
    psa = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    meta = _meta(namespace, {**labels, **psa, f"{LABEL_PREFIX}/status": tenant.status})
    meta["annotations"] = {
        f"{LABEL_PREFIX}/contact": tenant.owner.contact,
        f"{LABEL_PREFIX}/description": tenant.description,
        f"{LABEL_PREFIX}/team": tenant.owner.team,
    }
    if tenant.retain_until is not None:
        meta["annotations"][f"{LABEL_PREFIX}/retain-until"] = tenant.retain_until.isoformat()
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def quota_numbers(env: Environment, settings: Settings) -> dict[str, Decimal | int]:
    """The quota a tenant gets for an environment (documented in README: 'Quotas and defaults')."""
    ratios = settings.quota
    return {
        "requests.cpu": env.cpu,
        "limits.cpu": env.cpu * ratios.cpu_limit_ratio,
        "requests.memory": env.memory,
        "limits.memory": int(env.memory * ratios.memory_limit_ratio),
        "requests.storage": env.storage_total,
        "persistentvolumeclaims": len(env.storage),
        "pods": max(ratios.min_pods, math.ceil(env.cpu * ratios.pods_per_core)),
    }


def resource_quota(namespace: str, env: Environment, labels: dict[str, str], settings: Settings) -> Obj:
    numbers = quota_numbers(env, settings)
    hard = {
        "limits.cpu": format_cpu(Decimal(numbers["limits.cpu"])),
        "limits.memory": format_bytes(int(numbers["limits.memory"])),
        "persistentvolumeclaims": str(numbers["persistentvolumeclaims"]),
        "pods": str(numbers["pods"]),
        "requests.cpu": format_cpu(Decimal(numbers["requests.cpu"])),
        "requests.memory": format_bytes(int(numbers["requests.memory"])),
        "requests.storage": format_bytes(int(numbers["requests.storage"])) if numbers["requests.storage"] else "0",
    }
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": _meta(QUOTA_NAME, labels, namespace),
            "spec": {"hard": hard}}


def limit_range(namespace: str, env: Environment, labels: dict[str, str], settings: Settings) -> Obj:
    """Container defaults so pods without requests/limits still fit the quota (capped at the quota)."""
    defaults, numbers = settings.container_defaults, quota_numbers(env, settings)
    limit_cpu = min(defaults.default_limit.cpu, Decimal(numbers["limits.cpu"]))
    limit_memory = min(defaults.default_limit.memory, int(numbers["limits.memory"]))
    item = {
        "type": "Container",
        "default": {"cpu": format_cpu(limit_cpu), "memory": format_bytes(limit_memory)},
        "defaultRequest": {"cpu": format_cpu(min(defaults.default_request.cpu, limit_cpu)),
                           "memory": format_bytes(min(defaults.default_request.memory, limit_memory))},
    }
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": _meta(LIMIT_RANGE_NAME, labels, namespace),
            "spec": {"limits": [item]}}


def network_policies(namespace: str, labels: dict[str, str], settings: Settings) -> list[Obj]:
    """Deny all ingress, then allow the same namespace and the ingress controller's namespace."""
    ingress_ns = settings.network.ingress_controller_namespace

    def policy(name: str, ingress: list[Obj] | None) -> Obj:
        spec: Obj = {"podSelector": {}, "policyTypes": ["Ingress"]}
        if ingress is not None:
            spec["ingress"] = ingress
        return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": _meta(name, labels, namespace), "spec": spec}

    return [
        policy(DEFAULT_DENY_NAME, None),
        policy("allow-same-namespace", [{"from": [{"podSelector": {}}]}]),
        policy("allow-from-ingress-controller", [{"from": [{"namespaceSelector": {
            "matchLabels": {"kubernetes.io/metadata.name": ingress_ns}}}]}]),
    ]


def role_bindings(namespace: str, tenant: Tenant, labels: dict[str, str]) -> list[Obj]:
    """One RoleBinding per role, binding the tenant's groups to the built-in ClusterRole."""
    return [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": _meta(f"tenant-{role}", labels, namespace),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
         "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group} for group in groups]}
        for role, groups in tenant.access.bindings().items()
    ]


def persistent_volume_claims(namespace: str, env: Environment, labels: dict[str, str],
                             settings: Settings) -> list[Obj]:
    return [
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta(volume.name, labels, namespace),
         "spec": {"accessModes": ["ReadWriteOnce"],
                  "resources": {"requests": {"storage": format_bytes(volume.size)}},
                  "storageClassName": volume.storage_class or settings.storage.default_class}}
        for volume in env.storage
    ]


def backup_cron(per_day: int, first_hour: int) -> str:
    """Cron for `per_day` backups spread evenly over the day: 2 from 06:00 -> `0 6,18 * * *`."""
    if per_day == 24:
        return "0 * * * *"
    hours = sorted((first_hour + step * (24 // per_day)) % 24 for step in range(per_day))
    return f"0 {','.join(map(str, hours))} * * *"


def go_duration(days: int) -> str:
    """Days as the Go duration string Velero expects: 30 -> `720h0m0s`."""
    return f"{days * 24}h0m0s"


def backup_schedule(namespace: str, env: Environment, labels: dict[str, str], settings: Settings) -> Obj:
    """A Velero Schedule in Velero's namespace; backups outlive the schedule (no owner references)."""
    assert env.backups is not None
    template: Obj = {"includedNamespaces": [namespace], "ttl": go_duration(env.backups.retention_days)}
    if settings.backups.volume_backup == "fs":
        template["defaultVolumesToFsBackup"] = True
    else:
        template["snapshotVolumes"] = True
    return {
        "apiVersion": "velero.io/v1", "kind": "Schedule",
        "metadata": _meta(namespace, labels, settings.backups.velero_namespace),
        "spec": {"schedule": backup_cron(env.backups.per_day, settings.backups.first_hour),
                 "template": template, "useOwnerReferencesInBackup": False},
    }
