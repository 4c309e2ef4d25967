"""Desired state: what a tenant becomes, checked against real Kubernetes schemas and Velero's documented fields."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
from typer.testing import CliRunner

from tenantctl.cli import app
from tenantctl.desired_state import backup_cron, fleet_state, go_duration, tenant_objects
from tenantctl.manifests import to_yaml

REPO = Path(__file__).resolve().parent.parent
KUBERNETES_VERSION = "1.34"
VELERO_SCHEMA = json.loads((REPO / "tests/schemas/velero-schedule.json").read_text())
runner = CliRunner()


@pytest.fixture(scope="module")
def tenants(repo_workspace):
    return repo_workspace.load().by_name()


@pytest.fixture(scope="module")
def all_objects(tenants, repo_workspace) -> list[dict]:
    return [obj for t in tenants.values() for obj in tenant_objects(t, repo_workspace.settings)]


def test_every_built_in_object_passes_the_kubernetes_schema_strictly(all_objects) -> None:
    built_in = [obj for obj in all_objects if obj["kind"] != "Schedule"]
    assert {obj["kind"] for obj in built_in} == {"Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy",
                                                 "RoleBinding", "PersistentVolumeClaim"}
    for obj in built_in:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_the_kubernetes_schema_check_catches_a_typo(all_objects) -> None:
    claim = next(obj for obj in all_objects if obj["kind"] == "PersistentVolumeClaim")
    broken = {**claim, "spec": {**claim["spec"], "storageClass": "standard"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_velero_schedules_match_the_documented_fields(all_objects) -> None:
    schedules = [obj for obj in all_objects if obj["kind"] == "Schedule"]
    assert len(schedules) == 4  # amt test+prod, zaakregister acc+production
    for schedule in schedules:
        jsonschema.validate(schedule, VELERO_SCHEMA)
        assert schedule["metadata"]["namespace"] == "velero"
        assert schedule["spec"]["template"]["includedNamespaces"] == [schedule["metadata"]["name"]]
        assert schedule["spec"]["useOwnerReferencesInBackup"] is False  # backups outlive the schedule
    wrong = json.loads(json.dumps(schedules[0]))
    wrong["spec"]["template"]["ttl"] = "30d"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong, VELERO_SCHEMA)


@pytest.mark.parametrize(("per_day", "cron"), [(1, "0 6 * * *"), (2, "0 6,18 * * *"), (3, "0 6,14,22 * * *"),
                                               (4, "0 0,6,12,18 * * *"), (24, "0 * * * *")])
def test_backups_are_spread_evenly_over_the_day(per_day: int, cron: str) -> None:
    assert backup_cron(per_day, first_hour=6) == cron


def test_retention_becomes_a_go_duration() -> None:
    assert go_duration(30) == "720h0m0s"
    assert go_duration(1) == "24h0m0s"


def test_canonical_tenant_is_exactly_the_request(tenants, repo_workspace) -> None:
    objects = tenant_objects(tenants["amt"], repo_workspace.settings)
    by_kind: dict[str, list[dict]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], []).append(obj)
    assert [ns["metadata"]["name"] for ns in by_kind["Namespace"]] == ["amt-prod", "amt-test"]
    for namespace in by_kind["Namespace"]:
        labels = namespace["metadata"]["labels"]
        assert {labels[f"pod-security.kubernetes.io/{mode}"] for mode in ("enforce", "audit", "warn")} == {"restricted"}
        assert labels["tenant-platform/team"] == "rijks-ict-gilde"
        assert labels["tenant-platform/cost-center"] == "rig-0001"
        assert labels["tenant-platform/data-classification"] == "BBN2"
    for quota in by_kind["ResourceQuota"]:
        hard = quota["spec"]["hard"]
        assert (hard["requests.cpu"], hard["requests.memory"], hard["requests.storage"]) == ("4", "4Gi", "100Gi")
        assert hard["persistentvolumeclaims"] == "1"
    assert [c["spec"]["resources"]["requests"]["storage"] for c in by_kind["PersistentVolumeClaim"]] == ["100Gi"] * 2
    assert [s["spec"]["schedule"] for s in by_kind["Schedule"]] == ["0 6,18 * * *"] * 2
    assert [s["spec"]["template"]["ttl"] for s in by_kind["Schedule"]] == ["720h0m0s"] * 2
    roles = {b["roleRef"]["name"] for b in by_kind["RoleBinding"]}
    assert roles == {"admin", "edit", "view"}
    assert len(objects) == 22


def test_network_policies_deny_by_default_and_allow_the_ingress_controller(tenants, repo_workspace) -> None:
    policies = {o["metadata"]["name"]: o["spec"] for o in tenant_objects(tenants["sandbox"], repo_workspace.settings)
                if o["kind"] == "NetworkPolicy"}
    assert policies["default-deny-ingress"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    assert policies["allow-same-namespace"]["ingress"] == [{"from": [{"podSelector": {}}]}]
    assert policies["allow-from-ingress-controller"]["ingress"] == [{"from": [{"namespaceSelector": {
        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]}]


def test_limit_range_defaults_never_exceed_a_small_quota(tenants, repo_workspace) -> None:
    objects = tenant_objects(tenants["sandbox"], repo_workspace.settings)
    [limit_range] = [o for o in objects if o["kind"] == "LimitRange"]
    item = limit_range["spec"]["limits"][0]
    assert item["default"] == {"cpu": "1", "memory": "1000Mi"}  # sandbox: 500m x 2 = 1 core limit, 1Gi memory
    assert item["defaultRequest"] == {"cpu": "10m", "memory": "100Mi"}


def test_desired_state_is_deterministic(tenants, repo_workspace) -> None:
    first = to_yaml(tenant_objects(tenants["zaakregister"], repo_workspace.settings))
    second = to_yaml(tenant_objects(tenants["zaakregister"], repo_workspace.settings))
    assert first == second


def test_decommissioned_tenant_keeps_data_and_loses_access(tenants, repo_workspace) -> None:
    gone = tenants["amt"].model_copy(update={"status": "decommissioned"})
    kinds = [obj["kind"] for obj in tenant_objects(gone, repo_workspace.settings)]
    assert "RoleBinding" not in kinds
    assert kinds.count("Namespace") == 2 and kinds.count("PersistentVolumeClaim") == 2 and kinds.count("Schedule") == 2


def test_environments_are_placed_on_the_default_cluster(tenants, repo_workspace) -> None:
    states = fleet_state(list(tenants.values()), repo_workspace.settings)
    assert {state.cluster for state in states} == {"cluster-a"}
    assert [state.namespace for state in states] == sorted(state.namespace for state in states)


def test_render_snapshot_of_the_canonical_tenant() -> None:
    result = runner.invoke(app, ["render", "--tenant", "amt"])
    assert result.exit_code == 0
    golden = REPO / "tests/golden/render-amt.yaml"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()
    assert result.stdout.count("kind: Namespace") == 2 and result.stdout.count("kind: Schedule") == 2


def test_render_filters_and_refuses_unknown_tenants() -> None:
    result = runner.invoke(app, ["render", "--tenant", "amt", "--env", "prod"])
    assert result.exit_code == 0 and "amt-test" not in result.stdout and result.stdout.count("\n---\n") == 10
    assert runner.invoke(app, ["render", "--tenant", "nobody"]).exit_code == 2
