"""`tenantctl check` and the approval thresholds, as a developer and CI see them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tenantctl.cli.app import app
from tests.conftest import REPO

runner = CliRunner()


def test_check_passes_on_the_shipped_tenants() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0
    assert "16 policies passed on 56 objects of 3 tenant(s)" in result.stdout


def test_check_fails_on_a_mandatory_violation(monkeypatch) -> None:
    import tenantctl.cli.commands.check as check_command

    real = check_command.fleet_objects

    def without_quotas(tenants, settings):
        return [obj for obj in real(tenants, settings) if obj["kind"] != "ResourceQuota"]

    monkeypatch.setattr(check_command, "fleet_objects", without_quotas)
    result = runner.invoke(app, ["check", "--format", "json"])
    assert result.exit_code == 1
    violations = json.loads(result.stdout)["violations"]
    assert {v["policy"] for v in violations} == {"tenant-namespace-has-quota"}
    assert {v["object"] for v in violations} == {"Namespace amt-prod", "Namespace amt-test", "Namespace sandbox-dev",
                                                 "Namespace zaakregister-acc", "Namespace zaakregister-production"}
    assert all(v["level"] == "mandatory" and "no ResourceQuota" in v["message"] for v in violations)
    text = runner.invoke(app, ["check"])
    assert text.exit_code == 1
    for needed in ("tenant-namespace-has-quota", "mandatory", "zaakregister", "Namespace amt-prod",
                   "no ResourceQuota"):
        assert needed in text.stdout


def test_big_tenant_is_valid_but_needs_platform_approval(scratch_repo: Path) -> None:
    path = scratch_repo / "tenants/amt.yaml"
    path.write_text(path.read_text().replace("  prod:\n    cpu: 4", "  prod:\n    cpu: 24", 1)
                    .replace("data_classification: BBN2", "data_classification: BBN3"))
    text = runner.invoke(app, ["validate", "--root", str(scratch_repo), str(path)])
    assert text.exit_code == 0
    assert f"{path}:2:1: needs platform approval: data classification BBN3 needs platform and security approval" \
        in text.stdout
    assert "needs platform approval: prod: cpu 24 is more than 16 cores" in text.stdout
    report = runner.invoke(app, ["validate", "--root", str(scratch_repo), "--format", "json", str(path)])
    assert report.exit_code == 0
    approvals = [p for p in json.loads(report.stdout) if p["severity"] == "approval"]
    assert {p["message"] for p in approvals} == {"data classification BBN3 needs platform and security approval",
                                                 "prod: cpu 24 is more than 16 cores"}
    github = runner.invoke(app, ["validate", "--root", str(scratch_repo), "--format", "github", str(path)])
    assert "::warning file=" in github.stdout and "title=needs platform approval" in github.stdout


def test_codeowners_missing_or_wrong_lines_are_reported_with_the_line_to_write(scratch_repo: Path) -> None:
    assert runner.invoke(app, ["check", "--root", str(scratch_repo)]).exit_code == 0
    owners = scratch_repo / ".github/CODEOWNERS"
    text = owners.read_text()
    owners.write_text(text.replace("/tenants/amt.yaml           @example-org/rig-amt @example-org/platform-team\n", "")
                      .replace("@example-org/team-zaken @example-org/platform-team", "@example-org/someone-else"))
    result = runner.invoke(app, ["check", "--root", str(scratch_repo)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{scratch_repo}/tenants/amt.yaml:4:1: owner: .github/CODEOWNERS has no line for "
                               "tenants/amt.yaml") and line.endswith(
                               "add the line `/tenants/amt.yaml @example-org/rig-amt @example-org/platform-team`")
               for line in lines), lines
    wrong = [line for line in lines if line.startswith(".github/CODEOWNERS:")]
    assert len(wrong) == 1 and "tenants/zaakregister.yaml is owned by @example-org/someone-else" in wrong[0]
    assert wrong[0].endswith("replace the line with "
                             "`/tenants/zaakregister.yaml @example-org/team-zaken @example-org/platform-team`")


def test_a_later_catch_all_line_takes_a_tenant_away_from_its_team(scratch_repo: Path) -> None:
    owners = scratch_repo / ".github/CODEOWNERS"
    owners.write_text(owners.read_text() + "/tenants/  @example-org/platform-team\n")
    result = runner.invoke(app, ["check", "--root", str(scratch_repo)])
    assert result.exit_code == 1 and result.stderr.count("has no line for tenants/") == 3


def test_new_writes_the_codeowners_line_and_check_accepts_it(scratch_repo: Path) -> None:
    result = runner.invoke(app, ["new", "lab", "--team", "Lab Team", "--contact", "lab@example.org",
                                 "--cost-center", "LAB-0001", "--size", "medium", "--description", "A lab",
                                 "--root", str(scratch_repo)])
    assert result.exit_code == 0, result.output
    line = "/tenants/lab.yaml @example-org/lab-team @example-org/platform-team"
    assert f"added to .github/CODEOWNERS: {line}" in result.stdout
    text = (scratch_repo / ".github/CODEOWNERS").read_text()
    assert text.count(line) == 1
    assert text.index(line) < text.index("/platform/")  # with the other tenants, before the platform's lines
    assert runner.invoke(app, ["check", "--root", str(scratch_repo)]).exit_code == 0


def test_codeowners_in_the_repository_match_the_fixture_rules() -> None:
    """The live CODEOWNERS keeps the platform and security teams on the machinery (its tenant lines are checked by
    `tenantctl check` in CI, not here)."""
    rules = [line.split() for line in (REPO / ".github/CODEOWNERS").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    owners = {rule[0]: rule[1:] for rule in rules}
    for path in ("/platform/", "/policies/", "/.github/"):
        assert set(owners[path]) == {"@example-org/platform-team", "@example-org/security-team"}
