"""The PR comment, cost, compliance evidence and the access report."""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner

from tenantctl.checks.loading import Fleet
from tenantctl.cli.app import app
from tenantctl.model.loaded import LoadedTenant
from tenantctl.model.tenant import Tenant
from tenantctl.review.compliance import tenant_compliance
from tenantctl.review.cost import tenant_cost
from tenantctl.review.plan import build_plan
from tenantctl.review.plan_report import COMMENT_MARKER, GITHUB_COMMENT_LIMIT, Guardrails, markdown

runner = CliRunner()


def fleet_of(tenants: list[Tenant]) -> Fleet:
    return Fleet(tenants=[LoadedTenant(f"tenants/{t.name}.yaml", None, t) for t in tenants])  # type: ignore[arg-type]


def amt(repo_workspace) -> Tenant:
    return repo_workspace.load().by_name()["amt"]


def test_cost_of_the_canonical_tenant_matches_a_hand_computation(repo_workspace, settings) -> None:
    prices = settings.pricing
    per_env_month = (4 * prices.core_month + 4 * prices.memory_gib_month + 100 * prices.storage_gib_month
                     + 100 * prices.backup_storage_factor * prices.backup_gib_month)
    expected = 2 * 12 * per_env_month
    assert expected == Decimal("1764.00")  # example rates: near the ~2K USD/year commercial-cloud anchor
    assert tenant_cost(amt(repo_workspace), settings).yearly == expected


def test_cost_command_shows_tenants_owners_and_total() -> None:
    result = runner.invoke(app, ["cost", "--format", "json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["prices"] == "example rates, not a quote"
    assert Decimal(document["total"]) == sum(Decimal(t["yearly"]) for t in document["tenants"])
    text = runner.invoke(app, ["cost"]).stdout
    assert "Rijks ICT Gilde  RIG-0001     EUR 1,764.00" in text
    assert "Total: EUR 5,703.00 per year for 3 tenant(s)" in text


def test_markdown_of_a_thousand_tenant_change_stays_under_the_limit(repo_workspace, settings) -> None:
    base = amt(repo_workspace)
    tenants = [base.model_copy(update={"name": f"team-{index:04d}"}) for index in range(1000)]
    plan = build_plan(None, fleet_of(tenants), settings, settings, "main")
    compliance = {t.name: tenant_compliance(t, settings) for t in tenants}
    comment = markdown(plan, Guardrails(True, "1000 tenant file(s) valid"), compliance)
    assert len(comment) <= GITHUB_COMMENT_LIMIT
    assert comment.startswith(COMMENT_MARKER + "\n## Tenant plan")
    assert "**1000 tenant(s) touched** (1000 new, 0 changed, 0 removed)" in comment
    assert "EUR 0.00 → EUR 1,764,000.00 (**+EUR 1,764,000.00**)" in comment
    assert "left out to stay under GitHub's comment limit" in comment


def test_markdown_summary_comes_before_details(repo_workspace, settings) -> None:
    tenant = amt(repo_workspace)
    plan = build_plan(None, fleet_of([tenant]), settings, settings, None)
    comment = markdown(plan, Guardrails(True, "ok"), {"amt": tenant_compliance(tenant, settings)})
    summary, details = comment.split("<details>", 1)
    assert "Cost per year" in summary and "Guardrails" in summary and "Needs platform approval:** no" in summary
    assert "| 12.3.1 Backup of information | covered | ``Schedule velero/amt-prod" in details


def test_compliance_marks_missing_backups_and_revoked_access(repo_workspace, settings) -> None:
    sandbox = repo_workspace.load().by_name()["sandbox"]
    results = {r.control.id: r for r in tenant_compliance(sandbox, settings)}
    assert results["12.3.1"].status == "not covered" and "sandbox-dev" in results["12.3.1"].note
    assert results["9.2"].status == "covered"
    gone = amt(repo_workspace).model_copy(update={"status": "decommissioned"})
    access = {r.control.id: r for r in tenant_compliance(gone, settings)}["9.2"]
    assert access.evidence == () and "access revoked" in access.note


def test_compliance_command_json_lists_every_control() -> None:
    result = runner.invoke(app, ["report", "compliance", "--tenant", "amt", "--format", "json"])
    assert result.exit_code == 0
    controls = {item["control"]: item for item in json.loads(result.stdout)["amt"]}
    assert set(controls) == {"12.3.1", "9.2", "9.2.4", "13.1.3", "12.1.2", "12.1.3"}
    assert "NetworkPolicy amt-prod/default-deny-ingress" in controls["13.1.3"]["evidence"]


def test_access_report_filters_by_group_and_tenant() -> None:
    result = runner.invoke(app, ["report", "access", "--group", "zaken-auditors", "--format", "json"])
    rows = json.loads(result.stdout)
    assert {(r["role"], r["namespace"]) for r in rows} == {("view", "zaakregister-acc"),
                                                           ("view", "zaakregister-production")}
    result = runner.invoke(app, ["report", "access", "--tenant", "amt", "--format", "json"])
    assert {r["group"] for r in json.loads(result.stdout)} == {"rig-amt-admins", "rig-amt-developers",
                                                               "rig-amt-auditors"}
    assert all(r["role"] != "cluster-admin" for r in json.loads(result.stdout))
