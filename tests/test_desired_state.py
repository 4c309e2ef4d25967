"""Desired state: what a tenant becomes, checked against real Kubernetes schemas and Velero's documented fields."""

from __future__ import annotations

import io
import json

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils
import pytest
from ruamel.yaml import YAML

from tenantctl.checks.loading import load_tenant
from tenantctl.objects.desired_state import backup_cron, fleet_state, go_duration, object_id, object_key, tenant_objects
from tenantctl.objects.manifests import to_yaml
from tests.conftest import FIXTURE, REPO

KUBERNETES_VERSION = "1.34"
NEWEST_VERSION = ".".join(max(kubernetes_validate.utils.all_versions(),
                              key=lambda v: tuple(map(int, v.split(".")))).split(".")[:2])
VELERO_SCHEMA = json.loads((REPO / "tests/schemas/velero-schedule.json").read_text())


@pytest.fixture(scope="module")
def tenants(repo_workspace):
    return repo_workspace.load().by_name()


@pytest.fixture(scope="module")
def all_objects(tenants, repo_workspace) -> list[dict]:
    return [obj for t in tenants.values() for obj in tenant_objects(t, repo_workspace.settings)]


@pytest.mark.parametrize("version", sorted({KUBERNETES_VERSION, NEWEST_VERSION}))
def test_every_built_in_object_passes_the_kubernetes_schema_strictly(all_objects, version: str) -> None:
    built_in = [obj for obj in all_objects if obj["kind"] != "Schedule"]
    assert {obj["kind"] for obj in built_in} == {"Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy",
                                                 "RoleBinding", "PersistentVolumeClaim"}
    for obj in built_in:
        kubernetes_validate.validate(obj, version, strict=True)


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


@pytest.mark.parametrize(("where", "value"), [
    (("spec", "template", "ttl"), "30d"),                   # Go duration, not days
    (("spec", "schedule"), "0 0 6,18 * * *"),               # six fields: seconds are not cron here
    (("spec", "template", "includedNamespace"), ["x"]),     # a typo of a documented field
    (("spec", "template", "includedNamespaces"), "amt-prod"),  # a list, not a string
    (("spec", "useOwnerReferencesInBackup"), "false"),      # a boolean, not text
    (("spec", "scheduled"), "0 6 * * *"),                   # not a Schedule field
])
def test_the_velero_schema_catches_mistakes(all_objects, where: tuple[str, ...], value) -> None:
    wrong = json.loads(json.dumps(next(obj for obj in all_objects if obj["kind"] == "Schedule")))
    node = wrong
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong, VELERO_SCHEMA)


@pytest.mark.parametrize(("mode", "field"), [("fs", "defaultVolumesToFsBackup"), ("snapshot", "snapshotVolumes")])
def test_backups_include_volume_data(tenants, repo_workspace, mode: str, field: str) -> None:
    settings = repo_workspace.settings.model_copy(update={
        "backups": repo_workspace.settings.backups.model_copy(update={"volume_backup": mode})})
    schedules = [obj for obj in tenant_objects(tenants["amt"], settings) if obj["kind"] == "Schedule"]
    assert [schedule["spec"]["template"][field] for schedule in schedules] == [True, True]
    for schedule in schedules:
        jsonschema.validate(schedule, VELERO_SCHEMA)


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
        assert quota["spec"]["hard"] == {
            "requests.cpu": "4", "requests.memory": "4Gi", "requests.storage": "100Gi",
            "limits.cpu": "8", "limits.memory": "4Gi",  # settings: cpu may burst x2, memory is not overcommitted
            "persistentvolumeclaims": "1", "pods": "40"}
    assert [c["spec"]["resources"]["requests"]["storage"] for c in by_kind["PersistentVolumeClaim"]] == ["100Gi"] * 2
    assert [s["spec"]["schedule"] for s in by_kind["Schedule"]] == ["0 6,18 * * *"] * 2
    assert [s["spec"]["template"]["ttl"] for s in by_kind["Schedule"]] == ["720h0m0s"] * 2
    roles = {b["roleRef"]["name"] for b in by_kind["RoleBinding"]}
    assert roles == {"admin", "edit", "view", "tenant-deployer"}  # the team's pipeline deploys to test and prod
    assert len(objects) == 24


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


def test_desired_state_does_not_depend_on_the_order_in_the_file(tenants, repo_workspace) -> None:
    yaml = YAML(typ="safe", pure=True)
    data = yaml.load((FIXTURE / "tenants/amt.yaml").read_text())
    data["environments"] = dict(reversed(list(data["environments"].items())))
    data["access"] = {role: list(reversed([*groups, "extra-group"])) for role, groups in
                      reversed(list(data["access"].items()))}
    buffer = io.StringIO()
    yaml.dump(dict(reversed(list(data.items()))), buffer)
    loaded, problems = load_tenant(buffer.getvalue().encode(), "tenants/amt.yaml", repo_workspace.settings)
    assert problems == [] and loaded is not None
    shuffled = tenant_objects(loaded.tenant, repo_workspace.settings)
    original = tenant_objects(tenants["amt"].model_copy(update={"access": loaded.tenant.access}),
                              repo_workspace.settings)
    assert to_yaml(shuffled) == to_yaml(original)
    assert [object_key(obj) for obj in shuffled] == sorted(object_key(obj) for obj in shuffled)
    binding = next(o for o in shuffled if o["kind"] == "RoleBinding" and o["metadata"]["name"] == "tenant-admin")
    assert [subject["name"] for subject in binding["subjects"]] == ["extra-group", "rig-amt-admins"]


def test_decommissioned_tenant_keeps_data_and_loses_access(repo_workspace) -> None:
    text = (FIXTURE / "tenants/amt.yaml").read_text() + "status: decommissioned\nretain_until: 2031-06-30\n"
    loaded, problems = load_tenant(text.encode(), "tenants/amt.yaml", repo_workspace.settings)
    assert problems == [] and loaded is not None
    active = tenant_objects(loaded.tenant.model_copy(update={"status": "active"}), repo_workspace.settings)
    gone = tenant_objects(loaded.tenant, repo_workspace.settings)
    assert [object_id(obj) for obj in gone] == [object_id(obj) for obj in active if obj["kind"] != "RoleBinding"]
    kinds = [obj["kind"] for obj in gone]
    assert kinds.count("Namespace") == 2 and kinds.count("PersistentVolumeClaim") == 2 and kinds.count("Schedule") == 2
    for namespace in (obj for obj in gone if obj["kind"] == "Namespace"):
        assert namespace["metadata"]["labels"]["tenant-platform/status"] == "decommissioned"
        assert namespace["metadata"]["annotations"]["tenant-platform/retain-until"] == "2031-06-30"


def test_a_decommissioned_tenant_needs_a_retention_date(repo_workspace) -> None:
    text = (FIXTURE / "tenants/amt.yaml").read_text() + "status: decommissioned\n"
    _loaded, problems = load_tenant(text.encode(), "tenants/amt.yaml", repo_workspace.settings)
    assert [(problem.field, problem.severity) for problem in problems] == [("status", "error")]
    assert "add `retain_until: YYYY-MM-DD`" in problems[0].message


def test_no_binding_to_cluster_admin_is_possible(all_objects, repo_workspace) -> None:
    assert {obj["roleRef"]["name"] for obj in all_objects if obj["kind"] == "RoleBinding"} <= {"admin", "edit", "view",
                                                                                            "tenant-deployer"}
    text = (FIXTURE / "tenants/amt.yaml").read_text().replace("  view: [", "  cluster-admin: [")
    loaded, problems = load_tenant(text.encode(), "tenants/amt.yaml", repo_workspace.settings)
    assert loaded is None and [problem.field for problem in problems] == ["access.cluster-admin"]


def test_environments_are_placed_on_the_default_cluster(tenants, repo_workspace) -> None:
    states = fleet_state(list(tenants.values()), repo_workspace.settings)
    assert {state.cluster for state in states} == {"cluster-a"}
    assert [state.namespace for state in states] == sorted(state.namespace for state in states)
