"""`tenantctl plan`: what a change does, offline: objects added/changed/removed, cost delta, approvals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from tenantctl.checks.loading import Fleet
from tenantctl.checks.revision import RevisionError, load_revision
from tenantctl.cli.support import (
    Format,
    RootOption,
    fail,
    print_lines,
    stderr,
    valid_fleet,
    workspace,
)
from tenantctl.model.settings import Settings
from tenantctl.objects.desired_state import fleet_objects
from tenantctl.objects.guardrails import SPECS, check_objects
from tenantctl.review.compliance import tenant_compliance
from tenantctl.review.plan import build_plan
from tenantctl.review.plan_report import Guardrails, as_json, markdown, text
from tenantctl.source.errors import EXIT_INVALID, EXIT_USAGE


def plan(
    base: Annotated[Optional[str], typer.Option(help="Git revision to compare with (e.g. main, origin/main). "
                                                "Without it, everything is planned as new.")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text, markdown (the PR comment) or json.")]
    = Format.text,
    output: Annotated[Optional[Path], typer.Option(help="Write to this file instead of standard output.")] = None,
    root: RootOption = Path("."),
) -> None:
    """Compare the tenants at BASE with the working tree. Exit 1 if data (namespaces, volumes) would be deleted."""
    ws = workspace(root)
    head = valid_fleet(ws)
    base_settings, base_fleet = ws.settings, None
    if base is not None:
        try:
            base_settings, base_fleet = load_revision(root, base, ws.settings)
        except RevisionError as exc:
            fail(f"cannot read revision {base!r}: {exc}", code=EXIT_USAGE)
    result = build_plan(base_fleet, head, base_settings, ws.settings, base)
    guardrails = guardrail_status(head, ws.settings)
    if output_format is Format.markdown:
        compliance = {loaded.tenant.name: tenant_compliance(loaded.tenant, ws.settings) for loaded in head.tenants
                      if loaded.tenant.name in {item.tenant for item in result.touched}}
        rendered = markdown(result, guardrails, compliance)
    elif output_format is Format.json:
        rendered = as_json(result, guardrails)
    else:
        rendered = text(result, guardrails)
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
    elif output_format is Format.text:
        print_lines(rendered)
    else:
        print(rendered, end="")
    if result.blocking_removals:
        stderr.print(f"plan: {len(result.blocking_removals)} namespace(s)/volume(s) would be deleted; "
                     "use `status: decommissioned` instead", markup=False)
        raise typer.Exit(EXIT_INVALID)


def guardrail_status(head: Fleet, settings: Settings) -> Guardrails:
    """Validation passed (plan needs a valid head); run the policy pack offline over the head's objects."""
    objects = fleet_objects([loaded.tenant for loaded in head.tenants], settings)
    violations = check_objects(objects, settings)
    if not violations:
        return Guardrails(True, f"{len(head.tenants)} tenant file(s) valid; {len(SPECS)} policies passed")
    listed = "; ".join(f"{v.policy} on {v.object}" for v in violations[:10])
    more = f" and {len(violations) - 10} more" if len(violations) > 10 else ""
    return Guardrails(False, f"{len(violations)} policy violation(s): {listed}{more} (run `tenantctl check`)")


def register(app: typer.Typer) -> None:
    app.command()(plan)
