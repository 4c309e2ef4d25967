"""The CrossGuard policies, called directly and over whole desired states (offline, no pack server)."""

from __future__ import annotations

import copy
import runpy
import subprocess
import sys

import pytest
from pulumi_policy import EnforcementLevel, PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs

from tenantctl.objects import guardrails
from tenantctl.objects.desired_state import fleet_state
from tenantctl.objects.guardrails import SPECS, build_policies, check_objects
from tenantctl.objects.registration import TYPE_TOKENS
from tests.conftest import REPO


@pytest.fixture(scope="module")
def objects(repo_workspace) -> list[dict]:
    tenants = [loaded.tenant for loaded in repo_workspace.load().tenants]
    return [obj for state in fleet_state(tenants, repo_workspace.settings) for obj in state.objects]


def find(objects: list[dict], kind: str, namespace: str, name: str) -> dict:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name
                and o["metadata"].get("namespace") == namespace)


def without(objects: list[dict], kind: str, namespace: str, name: str) -> list[dict]:
    target = find(objects, kind, namespace, name)
    return [copy.deepcopy(o) for o in objects if o is not target]


def ids(violations) -> set[tuple[str, str]]:
    return {(v.policy, v.object) for v in violations}


def test_every_shipped_tenant_passes_every_policy(objects, settings) -> None:
    assert check_objects(objects, settings) == []


@pytest.mark.parametrize(("policy", "kind", "namespace", "name", "flagged"), [
    ("tenant-namespace-has-quota", "ResourceQuota", "amt-prod", "tenant-quota", "Namespace amt-prod"),
    ("tenant-namespace-has-limit-range", "LimitRange", "amt-test", "tenant-defaults", "Namespace amt-test"),
    ("tenant-namespace-default-deny", "NetworkPolicy", "sandbox-dev", "default-deny-ingress", "Namespace sandbox-dev"),
    ("tenant-namespace-has-backup", "Schedule", "velero", "amt-test", "Namespace amt-test"),
])
def test_stack_policies_catch_a_missing_object(objects, settings, policy, kind, namespace, name, flagged) -> None:
    violations = check_objects(without(objects, kind, namespace, name), settings)
    assert ids(violations) == {(policy, flagged)}
    assert violations[0].tenant == flagged.split()[1].rsplit("-", 1)[0]


def test_backups_are_not_required_for_unclassified_test_namespaces(objects, settings) -> None:
    # sandbox-dev is BBN1 and not production: it has no Schedule, and that is allowed.
    assert not any(o["kind"] == "Schedule" and o["metadata"]["name"] == "sandbox-dev" for o in objects)
    assert check_objects(objects, settings) == []


def mutate(objects: list[dict], kind: str, namespace: str | None, name: str, change) -> list[dict]:
    changed = copy.deepcopy(objects)
    change(find(changed, kind, namespace, name))
    return changed


@pytest.mark.parametrize(("policy", "kind", "namespace", "name", "change"), [
    ("no-cluster-admin-binding", "RoleBinding", "amt-prod", "tenant-admin",
     lambda o: o["roleRef"].update(name="cluster-admin")),
    ("pvc-storage-class-allowed", "PersistentVolumeClaim", "amt-prod", "data",
     lambda o: o["spec"].update(storageClassName="gold")),
    ("tenant-namespace-labels", "Namespace", None, "amt-prod",
     lambda o: o["metadata"]["labels"].pop("tenant-platform/cost-center")),
    ("tenant-namespace-pod-security", "Namespace", None, "amt-prod",
     lambda o: o["metadata"]["labels"].update({"pod-security.kubernetes.io/enforce": "baseline"})),
])
def test_resource_policies_catch_a_broken_object(objects, settings, policy, kind, namespace, name, change) -> None:
    violations = check_objects(mutate(objects, kind, namespace, name, change), settings)
    # a cluster-admin binding also breaks bindings-scoped (only admin/edit/view may be bound)
    also = {"bindings-scoped"} if policy == "no-cluster-admin-binding" else set()
    assert {v.policy for v in violations} == {policy} | also


def test_unprotected_data_is_caught(objects, settings) -> None:
    def unprotected(obj: dict) -> PolicyResourceOptions:
        return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])

    violations = check_objects(objects, settings, options=unprotected)
    assert {v.policy for v in violations} == {"data-resources-protected"}
    flagged = {v.object.split()[0] for v in violations}
    assert flagged == {"Namespace", "PersistentVolumeClaim"}


def args_for(obj: dict, protect: bool = True) -> ResourceValidationArgs:
    opts = PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    return ResourceValidationArgs(TYPE_TOKENS[obj["kind"]], obj, "urn:test", obj["metadata"]["name"], opts, None)


def run_validator(policy_id: str, settings, args: ResourceValidationArgs) -> list[str]:
    policy = next(p for p in build_policies(settings) if p.name == policy_id)
    messages: list[str] = []
    policy.validate(args, lambda message, urn: messages.append(message))
    return messages


def test_validators_called_directly_pass_and_fail(objects, settings) -> None:
    binding = find(objects, "RoleBinding", "amt-prod", "tenant-edit")
    assert run_validator("no-cluster-admin-binding", settings, args_for(binding)) == []
    cluster_binding = {"kind": "ClusterRoleBinding", "metadata": {"name": "everyone"},
                       "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"}, "subjects": []}
    [message] = run_validator("no-cluster-admin-binding", settings, args_for(cluster_binding))
    assert "everyone binds cluster-admin" in message and "admin, edit or view" in message
    volume = find(objects, "PersistentVolumeClaim", "zaakregister-production", "database")
    assert run_validator("pvc-storage-class-allowed", settings, args_for(volume)) == []
    assert run_validator("data-resources-protected", settings, args_for(volume, protect=False))
    namespace = find(objects, "Namespace", None, "amt-prod")
    assert run_validator("tenant-namespace-pod-security", settings, args_for(namespace)) == []
    assert run_validator("tenant-namespace-labels", settings, args_for(namespace)) == []


def test_every_policy_is_documented_and_mandatory(settings) -> None:
    policies = build_policies(settings)
    assert [p.name for p in policies] == list(SPECS)
    assert all(p.enforcement_level is EnforcementLevel.MANDATORY for p in policies)
    assert all(len(p.description) > 40 and p.remediation_steps for p in policies)
    bio = {p.name: p.framework.reference for p in policies if p.framework}
    assert bio["tenant-namespace-has-backup"] == "12.3.1, U.04"
    assert bio["no-cluster-admin-binding"] == "9.2"
    assert bio["tenant-namespace-default-deny"] == "13.1.3"


def test_importing_the_policies_never_starts_a_server() -> None:
    code = ("import pulumi_policy, pulumi_policy.policy\n"
            "def refuse(*a, **k): raise SystemExit('PolicyPack constructed')\n"
            "pulumi_policy.PolicyPack = pulumi_policy.policy.PolicyPack = refuse\n"
            "import tenantctl.objects.guardrails as g\n"
            "from tenantctl.checks.workspace import open_workspace\n"
            "print(len(g.build_policies(open_workspace().settings)))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(SPECS))


def test_only_the_pack_entry_point_constructs_a_policy_pack() -> None:
    constructing = [path.relative_to(REPO).as_posix() for path in REPO.rglob("*.py")
                    if ".venv" not in path.parts and "tests" not in path.parts
                    and "PolicyPack(" in path.read_text(encoding="utf-8")]
    assert constructing == ["policies/__main__.py"]


def test_the_pack_entry_point_builds_every_policy(monkeypatch) -> None:
    built = {}
    monkeypatch.setattr("pulumi_policy.PolicyPack", lambda **kwargs: built.update(kwargs))
    runpy.run_path(str(REPO / "policies/__main__.py"), run_name="__main__")
    assert built["name"] == "tenant-platform"
    assert built["enforcement_level"] is EnforcementLevel.MANDATORY
    assert [p.name for p in built["policies"]] == list(SPECS)
    assert guardrails.SPECS  # the pack and `tenantctl check` share one catalogue
