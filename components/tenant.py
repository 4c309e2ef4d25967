"""The `tenants:index:Tenant` component: one tenant's environments on one cluster."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.kubernetes_objects import register
from tenantctl.objects.desired_state import EnvironmentState
from tenantctl.objects.registration import COMPONENT_TYPE


@dataclass(frozen=True)
class TenantArgs:
    """The desired state of the tenant's environments that run on this component's cluster."""

    environments: list[EnvironmentState]


@dataclass
class EnvironmentResources:
    """The resources of one environment (one namespace), by what they are for."""

    namespace: pulumi.CustomResource
    quotas: list[pulumi.CustomResource] = field(default_factory=list)
    limit_ranges: list[pulumi.CustomResource] = field(default_factory=list)
    network_policies: list[pulumi.CustomResource] = field(default_factory=list)
    role_bindings: list[pulumi.CustomResource] = field(default_factory=list)
    volumes: list[pulumi.CustomResource] = field(default_factory=list)
    backup_schedules: list[pulumi.CustomResource] = field(default_factory=list)

    def add(self, kind: str, resource: pulumi.CustomResource) -> None:
        getattr(self, _ATTRIBUTE[kind]).append(resource)


_ATTRIBUTE = {"ResourceQuota": "quotas", "LimitRange": "limit_ranges", "NetworkPolicy": "network_policies",
              "RoleBinding": "role_bindings", "PersistentVolumeClaim": "volumes", "Schedule": "backup_schedules"}


class TenantResources(pulumi.ComponentResource):
    """Namespaces, quotas, limit ranges, network policies, role bindings, volumes and backups of a tenant.

    `environments` holds every child by namespace, so callers and tests can reach them by name.
    """

    environments: dict[str, EnvironmentResources]

    def __init__(self, name: str, args: TenantArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        self.environments = {}
        for state in args.environments:
            namespace_obj, *namespaced = state.objects
            if namespace_obj["kind"] != "Namespace":
                raise ValueError("the desired state lists each environment's Namespace first")
            namespace = register(namespace_obj, pulumi.ResourceOptions(parent=self))
            children = self.environments[state.namespace] = EnvironmentResources(namespace)
            for obj in namespaced:
                children.add(obj["kind"], register(obj, pulumi.ResourceOptions(parent=self, depends_on=[namespace])))
        self.register_outputs({"namespaces": sorted(self.environments)})
