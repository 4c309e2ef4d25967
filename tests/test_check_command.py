"""`tenantctl check` and the approval thresholds, as a developer and CI see them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tenantctl.cli.app import app

runner = CliRunner()


def test_check_passes_on_the_shipped_tenants() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0
    assert "9 policies passed on 54 objects of 3 tenant(s)" in result.stdout


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


def test_codeowners_gives_each_tenant_to_its_team_and_the_platform() -> None:
    repo = Path(__file__).resolve().parent.parent
    lines = [line.split() for line in (repo / ".github/CODEOWNERS").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    owners = {line[0]: line[1:] for line in lines}
    for tenant in (repo / "tenants").glob("*.yaml"):
        entry = owners[f"/tenants/{tenant.name}"]
        assert "@example-org/platform-team" in entry and len(entry) == 2
    for path in ("/platform/", "/policies/"):
        assert set(owners[path]) == {"@example-org/platform-team", "@example-org/security-team"}
