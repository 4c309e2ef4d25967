"""The tenant lifecycle as a sequence of git commits: active -> decommissioned -> released -> removed.

At each commit the real Pulumi program runs under mocks (a MockMonitor records every RegisterResource), and
the offline plan judges the transition from the previous commit. A small model of the engine's delete rule
(pulumi/pulumi pkg/resource/deploy/step.go:646-648: a resource that was protected in the state cannot be
deleted, in preview or up; step.go:661: a retained one is only dropped from the state) says what Pulumi would
do with the same two registrations; the plan must agree with it at every step.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tenantctl.checks.workspace import open_workspace
from tenantctl.cli.app import app
from tests.conftest import git
from tests.test_pulumi_program import STACK, register_for

runner = CliRunner()
DATA_TYPES = {"kubernetes:core/v1:Namespace", "kubernetes:core/v1:PersistentVolumeClaim"}
RETAIN_UNTIL = datetime.date.today() - datetime.timedelta(days=10)  # passed: `released` is allowed
TEAM_GROUPS = {"rig-amt-admins", "rig-amt-developers", "rig-amt-auditors"}


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", message)


def set_status(root: Path, status: str, retain_until: str) -> None:
    path = root / "tenants/amt.yaml"
    text = path.read_text()
    head, _, _ = text.partition("\nstatus:")
    path.write_text(head.rstrip("\n") + f"\nstatus: {status}\nretain_until: {retain_until}\n")


def state_after(root: Path) -> dict[str, dict[str, Any]]:
    """What the program registers for the working tree: URN-ish key -> options (the engine's new state)."""
    ws = open_workspace(root)
    fleet = ws.load()
    assert fleet.valid, [p.text() for p in fleet.problems]
    requests = register_for(STACK, ws.settings, [loaded.tenant for loaded in fleet.tenants]).requests
    return {f"{r.type}::{r.name}": {"protect": r.protect, "retain": r.retainOnDelete, "type": r.type,
                                   "request": r} for r in requests if r.custom and r.name.startswith("amt")}


def engine_verdict(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> str | None:
    """Pulumi's answer for going from `before` (the stack's state) to `after` (the program's registrations)."""
    for key, old in before.items():
        if key not in after and old["protect"]:
            return f"deleteProtectedError: {key}"  # step.go:646-648 uses the OLD state's protect flag
    return None


def plan(root: Path, today: datetime.date | None = None) -> int:
    extra = ["--today", today.isoformat()] if today else []
    return runner.invoke(app, ["plan", "--root", str(root), "--base", "HEAD", *extra]).exit_code


def validate(root: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", "--root", str(root), "--base", "HEAD"])
    return result.exit_code, result.stdout


def data_options(state: dict[str, dict[str, Any]]) -> set[tuple[bool, bool]]:
    assert not any(item["protect"] or item["retain"] for item in state.values() if item["type"] not in DATA_TYPES)
    return {(item["protect"], item["retain"]) for item in state.values() if item["type"] in DATA_TYPES}


def team_bindings(state: dict[str, dict[str, Any]]) -> list[str]:
    from google.protobuf.json_format import MessageToDict
    found = []
    for item in state.values():
        if item["type"].endswith(":RoleBinding"):
            subjects = MessageToDict(item["request"].object).get("subjects", [])
            found += [s["name"] for s in subjects if s.get("name") in TEAM_GROUPS]
    return found


def check_transition(root: Path, before: dict[str, dict[str, Any]], expect_ok: bool,
                     today: datetime.date | None = None) -> dict[str, dict[str, Any]]:
    """The plan of the working tree against HEAD, compared with the engine model on the same registrations."""
    after = state_after(root) if (root / "tenants/amt.yaml").exists() else {}
    verdict = engine_verdict(before, after)
    assert (verdict is None) == expect_ok, verdict
    assert (plan(root, today) == 0) == expect_ok
    return after


def test_lifecycle_never_wedges_the_stack(git_repo: Path) -> None:
    root = git_repo
    # 1. active: data protected and retained, the team's groups bound.
    active = state_after(root)
    assert data_options(active) == {(True, True)}
    assert set(team_bindings(active)) >= TEAM_GROUPS

    # Removing the file now: Pulumi would fail every run; the plan refuses and names the missing step.
    (root / "tenants/amt.yaml").unlink()
    check_transition(root, active, expect_ok=False)
    code, out = validate(root)
    assert code == 1 and "set `status: decommissioned`" in out and "tenant-removed-while-protected" in out
    git(root, "checkout", "--", "tenants/amt.yaml")

    # 2. decommissioned: access removed, data kept, still protected. The PR is planned on a day long before
    # retain_until (the review gate wants a retention period); the later steps happen after that date.
    set_status(root, "decommissioned", RETAIN_UNTIL.isoformat())
    decommissioned = check_transition(root, active, expect_ok=True, today=RETAIN_UNTIL - datetime.timedelta(days=200))
    assert data_options(decommissioned) == {(True, True)}
    assert team_bindings(decommissioned) == []
    assert {k for k, v in active.items() if v["type"] in DATA_TYPES} == \
        {k for k, v in decommissioned.items() if v["type"] in DATA_TYPES}
    commit(root, "decommission amt")

    # retain_until passed, but the base still protects: removing the file is still refused.
    (root / "tenants/amt.yaml").unlink()
    check_transition(root, decommissioned, expect_ok=False)
    code, out = validate(root)
    assert code == 1 and "set `status: released`" in out
    git(root, "checkout", "--", "tenants/amt.yaml")

    # 3. released: Namespace and PVCs unprotected but retained, so Pulumi will forget them without deleting.
    set_status(root, "released", RETAIN_UNTIL.isoformat())
    released = check_transition(root, decommissioned, expect_ok=True)
    assert data_options(released) == {(False, True)}
    assert validate(root)[0] == 0
    commit(root, "release amt")

    # 4. removed: the base shows the tenant released, so the file may go; Pulumi only drops it from state.
    (root / "tenants/amt.yaml").unlink()
    check_transition(root, released, expect_ok=True)
    assert all(item["retain"] for item in released.values() if item["type"] in DATA_TYPES)
    assert validate(root)[0] == 0
    commit(root, "remove amt")


def test_released_before_retain_until_is_refused(git_repo: Path) -> None:
    set_status(git_repo, "released", "2999-12-31")
    code, out = validate(git_repo)
    assert code == 1
    assert "`released` is allowed only after retain_until (2999-12-31)" in out


def test_released_without_date_is_refused(git_repo: Path) -> None:
    path = git_repo / "tenants/amt.yaml"
    path.write_text(path.read_text().rstrip("\n") + "\nstatus: released\n")
    code, out = validate(git_repo)
    assert code == 1 and "released tenant needs the retention date" in out


def test_skipping_decommission_straight_to_released_is_refused(git_repo: Path) -> None:
    # active -> released in one PR: Pulumi could apply it (unprotect is an update), but it skips the retention
    # period: the review gate refuses a retain_until that is first set in the past.
    set_status(git_repo, "released", RETAIN_UNTIL.isoformat())
    assert validate(git_repo)[0] == 0
    assert plan(git_repo) == 1


@pytest.mark.parametrize("status", ["decommissioned", "released"])
def test_environment_removal_of_inactive_tenant(git_repo: Path, status: str) -> None:
    set_status(git_repo, status, RETAIN_UNTIL.isoformat())
    commit(git_repo, status)
    text = (git_repo / "tenants/amt.yaml").read_text()
    start, end = text.index("  test:\n"), text.index("  prod:\n")
    (git_repo / "tenants/amt.yaml").write_text(text[:start] + text[end:])
    code, out = validate(git_repo)
    assert (plan(git_repo) == 0) == (status == "released")
    # Released data is unprotected: Pulumi forgets the namespace. Decommissioned data is still protected.
    assert (code == 0) == (status == "released"), out
