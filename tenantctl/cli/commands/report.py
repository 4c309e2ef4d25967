"""`tenantctl report compliance|access`: BIO evidence per tenant and the fleet's access structure."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.checks.workspace import Workspace
from tenantctl.cli.support import Format, RootOption, fail, print_rows, valid_fleet, workspace
from tenantctl.review.access import deploy_grants, grants
from tenantctl.review.compliance import tenant_compliance

report_app = typer.Typer(help="Reports for auditors and the platform team.", no_args_is_help=True)


@report_app.command()
def compliance(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text, markdown or json.")] = Format.text,
    root: RootOption = Path("."),
) -> None:
    """Which BIO controls each tenant's objects cover, with the objects as evidence."""
    ws = workspace(root)
    tenants = [loaded.tenant for loaded in valid_fleet(ws).tenants if tenant in (None, loaded.tenant.name)]
    if not tenants:
        fail(f"no tenant {tenant!r}", code=2)
    results = {item.name: tenant_compliance(item, ws.settings) for item in tenants}
    if output_format is Format.json:
        print(json.dumps({name: [{"control": r.control.id, "title": r.control.title, "also": r.control.also,
                                  "status": r.status, "evidence": list(r.evidence), "note": r.note}
                                 for r in items] for name, items in results.items()}, indent=2))
        return
    rows = [[name, f"{r.control.id} {r.control.title}", r.status, "; ".join(r.evidence) + (
        f" ({r.note})" if r.note else "")] for name, items in results.items() for r in items]
    print_rows(output_format, "BIO compliance evidence", ["Tenant", "Control", "Status", "Evidence"], rows)


@report_app.command()
def access(
    group: Annotated[str | None, typer.Option(help="Only this identity-provider group.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text, markdown or json.")] = Format.text,
    root: RootOption = Path("."),
) -> None:
    """Who (group) can do what (role) in which namespace, across the fleet."""
    ws = workspace(root)
    found = grants([loaded.tenant for loaded in valid_fleet(ws).tenants], ws.settings, group=group, tenant=tenant)
    if output_format is Format.json:
        print(json.dumps([asdict(item) for item in found], indent=2))
        return
    rows = [[item.group, item.role, item.namespace, item.tenant] for item in found]
    print_rows(output_format, "Access: group → role → namespace", ["Group", "Role", "Namespace", "Tenant"], rows)
    if not rows and output_format is Format.text:
        print("no grants match")
    if group is None:
        print()
        _print_deploy_access(ws, tenant, output_format)


def _print_deploy_access(ws: Workspace, tenant: str | None, output_format: Format) -> None:
    found = deploy_grants([loaded.tenant for loaded in valid_fleet(ws).tenants], ws.settings, tenant=tenant)
    if output_format is Format.json:
        print(json.dumps([asdict(item) for item in found], indent=2))
        return
    rows = [[item.pipeline, item.user, item.namespace + (" (production)" if item.production else ""), item.tenant]
            for item in found]
    print_rows(output_format, "Deploy access: pipeline → namespace (ClusterRole tenant-deployer, OIDC token)",
               ["Pipeline", "Kubernetes user", "Namespace", "Tenant"], rows)
    if not rows and output_format is Format.text:
        print("no pipeline can deploy")


@report_app.command("deploy-access")
def deploy_access(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text, markdown or json.")] = Format.text,
    root: RootOption = Path("."),
) -> None:
    """Which CI pipelines can deploy into which namespace, with their own short-lived OIDC token."""
    _print_deploy_access(workspace(root), tenant, output_format)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
