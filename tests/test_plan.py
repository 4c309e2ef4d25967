"""`tenantctl plan` against a real git base: the changes reviewers must see, and the data they must not lose."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantctl.cli.app import app
from tests.conftest import git

runner = CliRunner()

NEW_TENANT = """\
name: newteam
description: A new team's service
owner: {team: New Team, contact: new@example.org, cost_center: NEW-1}
data_classification: BBN1
access: {admin: [newteam-admins]}
environments:
  test: {cpu: 1, memory: 2Gi}
"""


@pytest.fixture
def repo(git_repo: Path) -> Path:
    return git_repo


def plan(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["plan", "--root", str(root), *args])
    return result.exit_code, result.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_base_equals_head_has_no_changes(repo: Path) -> None:
    code, out = plan(repo, "--base", "main")
    assert code == 0
    assert "0 tenant(s) touched, 3 unchanged" in out
    assert "Unchanged: 3 tenant(s) (amt, sandbox, zaakregister)" in out
    assert "+EUR 0.00" in out


def test_quota_change_is_field_level_with_cost_delta(repo: Path) -> None:
    edit(repo / "tenants/amt.yaml", "  prod:\n    cpu: 4", "  prod:\n    cpu: 8")
    code, out = plan(repo, "--base", "main", "--format", "json")
    assert code == 0
    document = json.loads(out)
    amt = next(t for t in document["tenants"] if t["tenant"] == "amt")
    assert amt["status"] == "changed"
    assert Decimal(amt["cost_after"]) - Decimal(amt["cost_before"]) == Decimal("576.00")  # 4 cores x 12 x 12
    quota = next(c for c in amt["changes"] if c["object"] == "ResourceQuota amt-prod/tenant-quota")
    fields = {f["path"]: (f["before"], f["after"]) for f in quota["fields"]}
    assert fields == {"spec.hard.requests.cpu": ("4", "8"), "spec.hard.limits.cpu": ("8", "16"),
                      "spec.hard.pods": ("40", "80")}
    assert [c["object"] for c in amt["changes"]] == ["ResourceQuota amt-prod/tenant-quota"]
    _, text = plan(repo, "--base", "main")
    assert "spec.hard.requests.cpu 4 → 8" in text


def test_new_tenant_is_all_added(repo: Path) -> None:
    (repo / "tenants/newteam.yaml").write_text(NEW_TENANT)
    code, out = plan(repo, "--base", "main", "--format", "json")
    assert code == 0
    new = next(t for t in json.loads(out)["tenants"] if t["tenant"] == "newteam")
    assert new["status"] == "new"
    assert {c["change"] for c in new["changes"]} == {"added"}
    assert "Namespace newteam-test" in [c["object"] for c in new["changes"]]
    assert Decimal(new["cost_after"]) == Decimal("192.00")  # 1 core x 12 + 2 GiB x 2, x 12 months


def test_new_volume_adds_a_claim_and_grows_the_quota(repo: Path) -> None:
    edit(repo / "tenants/amt.yaml", "      - name: data\n        size: 100Gi\n    backups: {",
         "      - name: data\n        size: 100Gi\n      - name: uploads\n        size: 10Gi\n    backups: {")
    code, out = plan(repo, "--base", "main")
    assert code == 0
    assert "+ PersistentVolumeClaim amt-prod/uploads" in out
    assert "spec.hard.requests.storage 100Gi → 110Gi" in out
    assert "spec.hard.persistentvolumeclaims 1 → 2" in out


def test_removed_environment_is_shouted_first_and_fails(repo: Path) -> None:
    path = repo / "tenants/amt.yaml"
    text = path.read_text()
    start, end = text.index("  test:\n"), text.index("  prod:\n")
    path.write_text(text[:start] + text[end:])
    code, out = plan(repo, "--base", "main")
    assert code == 1
    assert out.startswith("!!! DATA WOULD BE DELETED: 2 namespace(s)/volume(s) removed !!!")
    assert "amt: Namespace amt-test" in out and "amt: PersistentVolumeClaim amt-test/data" in out
    assert "status: decommissioned" in out


def test_removed_tenant_file_is_shouted_in_the_comment(repo: Path) -> None:
    (repo / "tenants/sandbox.yaml").unlink()
    code, out = plan(repo, "--base", "main", "--format", "markdown")
    assert code == 1
    head = out.split("<details>")[0]
    assert "[!CAUTION]" in head and "DATA WOULD BE DELETED" in head
    assert "`sandbox`: `Namespace sandbox-dev`" in head


def test_decommission_revokes_access_but_keeps_data(repo: Path) -> None:
    edit(repo / "tenants/amt.yaml", "data_classification: BBN2",
         "data_classification: BBN2\nstatus: decommissioned\nretain_until: 2027-06-30")
    code, out = plan(repo, "--base", "main", "--format", "json")
    assert code == 0
    amt = next(t for t in json.loads(out)["tenants"] if t["tenant"] == "amt")
    removed = [c["object"] for c in amt["changes"] if c["change"] == "removed"]
    assert removed and all(obj.startswith("RoleBinding") for obj in removed)
    assert not json.loads(out)["data_removals"]


def test_removal_after_retention_blocks_until_the_base_is_released(repo: Path) -> None:
    # Issue 13: a decommissioned tenant is still protected; Pulumi refuses the delete (step.go:646-648).
    edit(repo / "tenants/sandbox.yaml", "data_classification: BBN1",
         "data_classification: BBN1\nstatus: decommissioned\nretain_until: 2020-01-01")
    git(repo, "commit", "-qam", "decommission")
    (repo / "tenants/sandbox.yaml").unlink()
    result = runner.invoke(app, ["plan", "--root", str(repo), "--base", "main"])
    assert result.exit_code == 1
    assert "set `status: released`" in result.stdout


def test_removal_after_release_is_shown_but_not_blocking(repo: Path) -> None:
    edit(repo / "tenants/sandbox.yaml", "data_classification: BBN1",
         "data_classification: BBN1\nstatus: released\nretain_until: 2020-01-01")
    git(repo, "commit", "-qam", "release")
    (repo / "tenants/sandbox.yaml").unlink()
    code, out = plan(repo, "--base", "main")
    assert code == 0
    assert "DATA WOULD BE DELETED" in out


def test_without_base_everything_is_new(repo: Path) -> None:
    code, out = plan(repo)
    assert code == 0
    assert "3 tenant(s) touched" in out and "amt: new" in out


def test_unknown_base_is_a_usage_error(repo: Path) -> None:
    result = runner.invoke(app, ["plan", "--root", str(repo), "--base", "no-such-branch"])
    assert result.exit_code == 2
    assert "cannot read revision 'no-such-branch'" in result.stderr


def test_plan_refuses_an_invalid_head(repo: Path) -> None:
    (repo / "tenants/broken.yaml").write_text("name: broken\n")
    result = runner.invoke(app, ["plan", "--root", str(repo), "--base", "main"])
    assert result.exit_code == 1
    assert "tenants/broken.yaml:1:1:" in result.stderr


def test_policy_violations_show_in_the_summary(repo: Path, monkeypatch) -> None:
    import tenantctl.cli.commands.plan as plan_command
    from tenantctl.objects.guardrails import Violation

    monkeypatch.setattr(plan_command, "check_objects", lambda objects, _settings: [
        Violation("tenant-namespace-has-quota", "mandatory", "amt", "Namespace amt-prod", "no quota")
        for obj in objects if obj["kind"] == "Namespace" and obj["metadata"]["name"] == "amt-prod"])
    code, out = plan(repo, "--base", "main", "--format", "markdown")
    assert code == 0
    summary = out.split("<details>")[0]
    assert "- **Guardrails:** ❌ 1 policy violation(s): tenant-namespace-has-quota on Namespace amt-prod" in summary


def test_renamed_tenant_is_called_a_rename(repo: Path) -> None:
    old = repo / "tenants/sandbox.yaml"
    (repo / "tenants/playground.yaml").write_text(old.read_text().replace("name: sandbox", "name: playground"))
    old.unlink()
    code, out = plan(repo, "--base", "main", "--format", "json")
    assert code == 1
    assert json.loads(out)["rename_hints"] == [
        "tenant `sandbox` removed and `playground` added for the same owner: renaming deletes and recreates "
        "namespaces; keep the old name"]


def test_renamed_environment_is_called_a_rename(repo: Path) -> None:
    edit(repo / "tenants/sandbox.yaml", "  dev:\n", "  develop:\n")
    code, out = plan(repo, "--base", "main")
    assert code == 1
    assert ("!!! tenant `sandbox`: namespace(s) sandbox-dev removed and sandbox-develop added: renaming an "
            "environment deletes its namespace and volumes; keep the old name") in out


def test_cost_per_environment_is_shown(repo: Path) -> None:
    edit(repo / "tenants/amt.yaml", "  prod:\n    cpu: 4", "  prod:\n    cpu: 8")
    _, out = plan(repo, "--base", "main", "--format", "json")
    amt = next(t for t in json.loads(out)["tenants"] if t["tenant"] == "amt")
    assert amt["environment_costs"] == {"prod": {"before": "882.00", "after": "1458.00"}}
    _, markdown_out = plan(repo, "--base", "main", "--format", "markdown")
    assert "- cost per year of `prod`: EUR 882.00 → EUR 1,458.00" in markdown_out
