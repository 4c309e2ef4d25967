"""platform/bootstrap/ci-identities.yaml: least-privilege CI identities, validated offline (issue 13)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tenantctl.objects.desired_state import KIND_ORDER, fleet_state
from tests.conftest import REPO

BOOTSTRAP = REPO / "platform/bootstrap/ci-identities.yaml"
MINT = REPO / "platform/bootstrap/mint-kubeconfig.sh"
# Each managed kind as RBAC sees it: (apiGroup, resource).
MANAGED = {
    "Namespace": ("", "namespaces"), "ResourceQuota": ("", "resourcequotas"), "LimitRange": ("", "limitranges"),
    "PersistentVolumeClaim": ("", "persistentvolumeclaims"),
    "NetworkPolicy": ("networking.k8s.io", "networkpolicies"),
    "RoleBinding": ("rbac.authorization.k8s.io", "rolebindings"), "Schedule": ("velero.io", "schedules"),
}
READ = {"get", "list", "watch"}
WRITE = {"create", "update", "patch", "delete"}


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return [doc for doc in yaml.safe_load_all(BOOTSTRAP.read_text()) if doc]


def role(documents: list[dict], name: str) -> dict:
    return next(d for d in documents if d["kind"] == "ClusterRole" and d["metadata"]["name"] == name)


def grants(rules: list[dict]) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for rule in rules:
        if "resourceNames" in rule:
            continue
        for group in rule.get("apiGroups", []):
            for resource in rule.get("resources", []):
                found.setdefault((group, resource), set()).update(rule["verbs"])
    return found


def test_every_document_validates_strictly(documents) -> None:
    assert len(documents) == 7
    for doc in documents:
        kubernetes_validate.validate(doc, "1.34", strict=True)


def test_managed_kinds_are_exactly_what_the_program_renders() -> None:
    assert set(MANAGED) == set(KIND_ORDER)


@pytest.mark.parametrize(("name", "verbs"), [("tenant-platform-preview", READ),
                                             ("tenant-platform-apply", READ | WRITE)])
def test_roles_grant_exactly_the_managed_kinds(documents, name, verbs) -> None:
    rules = role(documents, name)["rules"]
    assert grants(rules) == {key: verbs for key in MANAGED.values()}
    for rule in rules:
        assert "*" not in rule.get("verbs", []) and "*" not in rule.get("resources", [])
        assert "*" not in rule.get("apiGroups", [])
    discovery = [rule for rule in rules if "nonResourceURLs" in rule]
    assert discovery and discovery[0]["verbs"] == ["get"] and "/apis/*" in discovery[0]["nonResourceURLs"]


def test_preview_identity_cannot_write_bind_or_escalate(documents) -> None:
    verbs = {verb for rule in role(documents, "tenant-platform-preview")["rules"] for verb in rule["verbs"]}
    assert verbs == READ


def test_apply_identity_binds_only_the_roles_the_program_binds(documents, repo_workspace) -> None:
    rules = role(documents, "tenant-platform-apply")["rules"]
    special = [rule for rule in rules if {"bind", "escalate", "impersonate"} & set(rule["verbs"])]
    assert len(special) == 1
    [rule] = special
    assert set(rule["verbs"]) == {"bind", "escalate"} and rule["resources"] == ["clusterroles"]
    assert set(rule["resourceNames"]) == {"admin", "edit", "view", "tenant-deployer"}
    tenants = [loaded.tenant for loaded in repo_workspace.load().tenants]
    bound = {obj["roleRef"]["name"] for state in fleet_state(tenants, repo_workspace.settings)
             for obj in state.objects if obj["kind"] == "RoleBinding"}
    assert bound <= set(rule["resourceNames"])
    assert "cluster-admin" not in BOOTSTRAP.read_text().split("# Managed kinds")[1].replace(
        "Never cluster-admin", "")


def test_each_identity_is_bound_cluster_wide_to_its_own_role(documents) -> None:
    bindings = {d["metadata"]["name"]: d for d in documents if d["kind"] == "ClusterRoleBinding"}
    assert set(bindings) == {"tenant-platform-preview", "tenant-platform-apply"}
    for name, binding in bindings.items():
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name}
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": name,
                                        "namespace": "tenant-platform-system"}]


def test_mint_script_writes_a_kubeconfig_for_the_cluster_context(tmp_path: Path) -> None:
    fake = tmp_path / "kubectl"
    fake.write_text("#!/bin/sh\ncase \"$*\" in\n"
                    "  *server*) printf https://api.cluster-a.internal:6443 ;;\n"
                    "  *certificate-authority-data*) printf Q0EK ;;\n"
                    "  *'create token tenant-platform-preview --duration 24h'*) printf tok123 ;;\n"
                    "  *) echo unexpected \"$*\" >&2; exit 1 ;;\nesac\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", str(MINT), "preview", "cluster-a", "24h"], env=env, capture_output=True,
                            text=True, check=True)
    config = yaml.safe_load(result.stdout)
    assert config["current-context"] == "cluster-a"
    assert config["users"] == [{"name": "tenant-platform-preview", "user": {"token": "tok123"}}]
    assert config["clusters"][0]["cluster"]["server"] == "https://api.cluster-a.internal:6443"
    bad = subprocess.run(["bash", str(MINT), "admin", "cluster-a"], env=env, capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 2


def test_readme_real_cluster_section_is_followable() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Point it at a real cluster")[1].split("\n## ")[0]
    login = next(line for line in section.splitlines() if "pulumi login 's3://" in line)
    assert login.strip().startswith("pulumi login '") and login.strip().endswith("'")
    assert "s3ForcePathStyle=true" in login and "region=" in login
    assert "disableSSL=true" in section and "mounted by a" in section and "running pod" in section
    assert "platform/bootstrap/mint-kubeconfig.sh preview" in section and MINT.exists()
    assert "kubectl --context cluster-b apply -f platform/bootstrap/" in section
    assert "config set --secret kubeconfig" not in readme
