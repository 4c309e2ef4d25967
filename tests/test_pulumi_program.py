"""The real Pulumi program under Pulumi's mocks: it registers exactly the desired state, safely."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks

from components.program import build
from tenantctl.objects.desired_state import fleet_state, logical_name

PROJECT, STACK = "tenant-platform", "cluster-a"
TYPES = {
    "Namespace": "kubernetes:core/v1:Namespace",
    "ResourceQuota": "kubernetes:core/v1:ResourceQuota",
    "LimitRange": "kubernetes:core/v1:LimitRange",
    "NetworkPolicy": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "RoleBinding": "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    "PersistentVolumeClaim": "kubernetes:core/v1:PersistentVolumeClaim",
    "Schedule": "kubernetes:velero.io/v1:Schedule",
}


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list | None]:
        return {}, None


class RecordingMonitor(mocks.MockMonitor):
    """Keeps every RegisterResource request: type, name, inputs, parent, dependencies and options."""

    def __init__(self, mock: pulumi.runtime.Mocks) -> None:
        super().__init__(mock)
        self.requests: list[Any] = []

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            self.requests.append(request)
        return super().RegisterResource(request)


def register_for(stack: str, settings, tenants) -> RecordingMonitor:
    """Run the program for one stack under mocks; the monitor holds every registration."""
    monitor = RecordingMonitor(Mocks())
    mocks.set_mocks(Mocks(), project=PROJECT, stack=stack, preview=False, monitor=monitor)
    cluster = settings.cluster_for_stack(stack)

    @pulumi.runtime.test
    def program() -> None:
        import pulumi_kubernetes as k8s
        provider = k8s.Provider(stack, kubeconfig="kubeconfig-for-tests", context=cluster.context,
                                cluster_identifier=cluster.name)
        build(settings, tenants, cluster, provider)

    program()
    return monitor


@pytest.fixture(scope="module")
def registered(repo_workspace) -> tuple[list[Any], list[dict]]:
    """Run the program once for cluster-a; return the recorded requests and the desired objects."""
    settings = repo_workspace.settings
    tenants = [loaded.tenant for loaded in repo_workspace.load().tenants]
    desired = [obj for state in fleet_state(tenants, settings) for obj in state.objects]
    return register_for(STACK, settings, tenants).requests, desired


def _resources(requests: list[Any]) -> dict[tuple[str, str], Any]:
    return {(request.type, request.name): request for request in requests if request.custom}


def _plain(value: Any) -> Any:
    from google.protobuf.json_format import MessageToDict
    return MessageToDict(value)


def test_registers_exactly_the_desired_objects(registered) -> None:
    requests, desired = registered
    resources = {key: value for key, value in _resources(requests).items() if not key[0].startswith("pulumi:providers")}
    expected = {(TYPES[obj["kind"]], logical_name(obj)): obj for obj in desired}
    assert set(resources) == set(expected)
    for key, obj in expected.items():
        inputs = _plain(resources[key].object)
        assert inputs["metadata"] == obj["metadata"], key
        for field in ("spec", "roleRef", "subjects"):
            if field in obj:
                assert inputs[field] == obj[field], (key, field)


def test_every_namespaced_object_depends_on_its_namespace(registered) -> None:
    requests, desired = registered
    resources = _resources(requests)
    for obj in desired:
        if obj["kind"] == "Namespace":
            continue
        request = resources[(TYPES[obj["kind"]], logical_name(obj))]
        tenant_namespace = obj["metadata"]["labels"]["tenant-platform/tenant"] + "-" + \
            obj["metadata"]["labels"]["tenant-platform/environment"]
        assert any(dep.endswith(f"::{tenant_namespace}") and "core/v1:Namespace" in dep
                   for dep in request.dependencies), (obj["kind"], logical_name(obj), list(request.dependencies))


def test_namespaces_and_volumes_are_protected_and_retained(registered) -> None:
    requests, _ = registered
    data = [r for r in requests if r.type in (TYPES["Namespace"], TYPES["PersistentVolumeClaim"])]
    assert len(data) == 2 + 1 + 2 + 2 + 5  # namespaces: amt 2, sandbox 1, zaakregister 2; PVCs: 2 + 5
    assert all(r.protect and r.retainOnDelete for r in data)
    others = [r for r in requests if r.custom and r not in data and not r.type.startswith("pulumi:providers")]
    assert others and not any(r.protect for r in others)


def test_resources_use_the_explicit_provider_and_tenant_components(registered) -> None:
    requests, _ = registered
    components = [r for r in requests if r.type == "tenants:index:Tenant"]
    assert sorted(r.name for r in components) == ["amt", "sandbox", "zaakregister"]
    for request in requests:
        if request.custom and not request.type.startswith("pulumi:providers"):
            assert f"pulumi:providers:kubernetes::{STACK}" in request.provider
            assert "tenants:index:Tenant" in request.parent


def test_each_stack_registers_only_its_own_clusters_environments(repo_workspace) -> None:
    from tenantctl.model.settings import Cluster

    settings = repo_workspace.settings
    two_clusters = settings.model_copy(update={"clusters": [*settings.clusters,
                                                            Cluster(name="cluster-b", stack="cluster-b",
                                                                    context="cluster-b")]})
    tenants = repo_workspace.load().by_name()
    amt = tenants["amt"]
    moved = amt.model_copy(update={"environments": {
        **amt.environments, "prod": amt.environments["prod"].model_copy(update={"cluster": "cluster-b"})}})
    fleet = [moved, tenants["sandbox"]]
    registered = {stack: {r.name for r in register_for(stack, two_clusters, fleet).requests
                          if r.type == TYPES["Namespace"]} for stack in ("cluster-a", "cluster-b")}
    assert registered == {"cluster-a": {"amt-test", "sandbox-dev"}, "cluster-b": {"amt-prod"}}


def test_components_expose_their_children_by_environment(repo_workspace) -> None:
    """The component's typed attributes hold every child: amt's two environments, each with its objects."""
    settings = repo_workspace.settings
    tenants = [loaded.tenant for loaded in repo_workspace.load().tenants]
    mocks.set_mocks(Mocks(), project=PROJECT, stack=STACK, preview=False)
    cluster = settings.cluster_for_stack(STACK)
    built: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> None:
        import pulumi_kubernetes as k8s
        provider = k8s.Provider(STACK, kubeconfig="kubeconfig-for-tests", context=cluster.context)
        built.update(build(settings, tenants, cluster, provider))

    program()
    amt = built["amt"].environments
    assert sorted(amt) == ["amt-prod", "amt-test"]
    for children in amt.values():
        counts = {name: len(getattr(children, name)) for name in
                  ("quotas", "limit_ranges", "network_policies", "role_bindings", "volumes", "backup_schedules")}
        assert counts == {"quotas": 1, "limit_ranges": 1, "network_policies": 3, "role_bindings": 4, "volumes": 1,
                          "backup_schedules": 1}
        assert type(children.namespace).__name__ == "Namespace"
        assert all(type(volume).__name__ == "PersistentVolumeClaim" for volume in children.volumes)
