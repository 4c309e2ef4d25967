"""`tenantctl check`: run the CrossGuard policies offline over the desired state of every tenant."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.checks.codeowners import codeowners_check
from tenantctl.cli.support import Format, RootOption, print_rows, stderr, valid_fleet, workspace
from tenantctl.objects.desired_state import fleet_objects
from tenantctl.objects.guardrails import SPECS, check_objects
from tenantctl.review.deploy_changes import deploy_access_line
from tenantctl.source.errors import EXIT_INVALID


def check(
    output_format: Annotated[Format, typer.Option("--format", help="text, markdown or json.")] = Format.text,
    root: RootOption = Path("."),
) -> None:
    """Run the policy pack offline (same rules as `pulumi preview --policy-pack policies`) and the repository's
    fleet invariants (a CODEOWNERS line per tenant file). Exit 1 on a mandatory violation or a broken invariant."""
    ws = workspace(root)
    fleet = valid_fleet(ws)
    invariants = codeowners_check(ws, fleet)
    for problem in invariants:
        stderr.print(problem.text(), markup=False)
    objects = fleet_objects([loaded.tenant for loaded in fleet.tenants], ws.settings)
    violations = check_objects(objects, ws.settings)
    if output_format is Format.json:
        print(json.dumps({"policies": len(SPECS), "objects": len(objects),
                          "violations": [asdict(v) for v in violations]}, indent=2))
    elif violations:
        print_rows(output_format, "Policy violations", ["Policy", "Level", "Tenant", "Object", "What to do"],
                   [[v.policy, v.level, v.tenant, v.object, v.message] for v in violations])
    else:
        print(f"{len(SPECS)} policies passed on {len(objects)} objects of {len(fleet.tenants)} tenant(s)")
    if output_format is not Format.json:
        print(deploy_access_line(objects))
    if invariants or any(v.level == "mandatory" for v in violations):
        raise typer.Exit(EXIT_INVALID)


def register(app: typer.Typer) -> None:
    app.command()(check)
