"""Issue 13: per-namespace guarantees checked resource by resource (before apply), and released data."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from tenantctl.objects.desired_state import RELEASED_ANNOTATION, fleet_state
from tenantctl.objects.guardrails import build_policies, check_objects
from tests.conftest import REPO
from tests.test_policies import args_for, find, mutate, run_validator


@pytest.fixture(scope="module")
def objects(repo_workspace) -> list[dict]:
    tenants = [loaded.tenant for loaded in repo_workspace.load().tenants]
    return [obj for state in fleet_state(tenants, repo_workspace.settings) for obj in state.objects]


STACK_LEVEL = {"tenant-namespace-has-quota", "tenant-namespace-has-limit-range", "tenant-namespace-default-deny",
               "tenant-namespace-has-backup"}


@pytest.mark.parametrize(("policy", "kind", "name", "change"), [
    ("tenant-quota-bounded", "ResourceQuota", "tenant-quota", lambda o: o["spec"]["hard"].pop("limits.memory")),
    ("tenant-quota-bounded", "ResourceQuota", "tenant-quota", lambda o: o["spec"]["hard"].pop("pods")),
    ("tenant-limit-range-defaults", "LimitRange", "tenant-defaults",
     lambda o: o["spec"]["limits"][0].pop("defaultRequest")),
    ("tenant-limit-range-defaults", "LimitRange", "tenant-defaults",
     lambda o: o["spec"]["limits"][0]["default"].pop("cpu")),
])
def test_resource_level_namespace_guarantees(objects, settings, policy, kind, name, change) -> None:
    violations = check_objects(mutate(objects, kind, "amt-prod", name, change), settings)
    assert {v.policy for v in violations} == {policy}


def test_split_between_resource_and_stack_policies_is_as_documented(settings) -> None:
    policies = {p.name: p for p in build_policies(settings)}
    stack = {name for name, p in policies.items() if isinstance(p, StackValidationPolicy)}
    assert stack == STACK_LEVEL
    assert all(isinstance(p, ResourceValidationPolicy) for n, p in policies.items() if n not in STACK_LEVEL)
    doc = (REPO / "docs/guardrails.md").read_text()
    section = doc.split("## When each policy runs")[1].split("\n## ")[0]
    for name in stack:
        assert f"`{name}`" in section.split("- **Stack policies**")[1]
    for name in set(policies) - stack:
        assert f"`{name}`" in section.split("- **Stack policies**")[0]


def test_released_data_may_be_unprotected_but_active_data_may_not(objects, settings) -> None:
    volume = copy.deepcopy(find(objects, "PersistentVolumeClaim", "amt-prod", "data"))
    assert run_validator("data-resources-protected", settings, args_for(volume, protect=False))
    volume["metadata"].setdefault("annotations", {})[RELEASED_ANNOTATION] = "true"
    assert run_validator("data-resources-protected", settings, args_for(volume, protect=False)) == []


def test_released_tenant_passes_the_offline_pack(scratch_repo: Path) -> None:
    from tenantctl.checks.workspace import open_workspace
    from tenantctl.objects.desired_state import fleet_objects
    path = scratch_repo / "tenants/amt.yaml"
    path.write_text(path.read_text() + "status: released\nretain_until: 2020-01-31\n")
    ws = open_workspace(scratch_repo)
    fleet = ws.load()
    assert fleet.valid
    assert check_objects(fleet_objects([t.tenant for t in fleet.tenants], ws.settings), ws.settings) == []
