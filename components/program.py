"""The Pulumi program: settings + tenants -> one explicit provider for this stack's cluster -> components."""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from components.tenant import TenantArgs, TenantResources
from tenantctl.checks.workspace import Workspace, open_workspace
from tenantctl.model.settings import Cluster, Settings
from tenantctl.model.tenant import Tenant
from tenantctl.objects.desired_state import fleet_state
from tenantctl.source.problems import errors

REPO_ROOT = Path(__file__).resolve().parent.parent


def cluster_provider(cluster: Cluster, kubeconfig: pulumi.Input[str]) -> k8s.Provider:
    """An explicit provider: fixed kubeconfig and context, a stable cluster identity, no risky options."""
    return k8s.Provider(
        f"cluster-{cluster.name}",
        kubeconfig=kubeconfig,
        context=cluster.context,
        cluster_identifier=cluster.name,
        enable_server_side_apply=True,
    )


def build(settings: Settings, tenants: list[Tenant], cluster: Cluster,
          provider: pulumi.ProviderResource) -> dict[str, TenantResources]:
    """Register every tenant environment placed on `cluster`; returns the components by tenant name."""
    states = [state for state in fleet_state(tenants, settings) if state.cluster == cluster.name]
    components: dict[str, TenantResources] = {}
    for tenant_name in sorted({state.tenant for state in states}):
        mine = [state for state in states if state.tenant == tenant_name]
        components[tenant_name] = TenantResources(tenant_name, TenantArgs(mine),
                                                  pulumi.ResourceOptions(providers={"kubernetes": provider}))
    return components


def kubeconfig_input() -> pulumi.Input[str]:
    """The kubeconfig: ALWAYS the file named by $KUBECONFIG, i.e. the job's own (read-only for previews, from
    the GitHub environment). A `kubeconfig` stack setting is never read: a credential stored in the stack would be
    used by every job that can decrypt the stack, whatever environment it runs in."""
    path = os.environ.get("KUBECONFIG")
    if not path:
        raise pulumi.RunError("no kubeconfig: set the KUBECONFIG environment variable to the kubeconfig file of "
                              "this job (CI writes it with `tenantctl ci write-kubeconfig`)")
    return path


def run(workspace: Workspace | None = None) -> None:
    """Entry point of `__main__.py`: validate the fleet, then build this stack's cluster."""
    ws = workspace or open_workspace(REPO_ROOT)
    fleet = ws.load()
    if not fleet.valid:
        problems = "\n".join(problem.text() for problem in errors(fleet.problems))
        raise pulumi.RunError(f"tenant files are invalid; nothing was changed:\n{problems}")
    cluster = ws.settings.cluster_for_stack(pulumi.get_stack())
    provider = cluster_provider(cluster, kubeconfig_input())
    components = build(ws.settings, [loaded.tenant for loaded in fleet.tenants], cluster, provider)
    pulumi.export("cluster", cluster.name)
    pulumi.export("tenants", sorted(components))
