"""The `tenants:index:Tenant` component: one tenant's environments on one cluster."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes_objects import register
from tenantctl.objects.desired_state import EnvironmentState


@dataclass(frozen=True)
class TenantArgs:
    """The desired state of the tenant's environments that run on this component's cluster."""

    environments: list[EnvironmentState]


class Tenant(pulumi.ComponentResource):
    """Namespaces, quotas, limit ranges, network policies, role bindings, volumes and backups of a tenant."""

    def __init__(self, name: str, args: TenantArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tenants:index:Tenant", name, None, opts)
        self.namespaces: dict[str, pulumi.CustomResource] = {}
        for state in args.environments:
            namespace_obj, *namespaced = state.objects
            assert namespace_obj["kind"] == "Namespace", "desired state lists the Namespace first"
            namespace = register(namespace_obj, pulumi.ResourceOptions(parent=self))
            self.namespaces[state.namespace] = namespace
            for obj in namespaced:
                register(obj, pulumi.ResourceOptions(parent=self, depends_on=[namespace]))
        self.register_outputs({"namespaces": sorted(self.namespaces)})
