"""`tenantctl plan`: what a change does, offline: objects added/changed/removed, cost delta, approvals.

Both sides are read by one function under one rule set (`tenantctl.checks.revision.read_side`): `--base REV`
and `--head REV` from git objects (no checkout, so trusted code can plan a pull request's data), the head from
the working tree when `--head` is left out.
"""

from __future__ import annotations

import datetime
from dataclasses import astuple
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.checks.loading import Fleet, SettingsError
from tenantctl.checks.revision import RevisionError, Side, read_side
from tenantctl.cli.support import Format, RootOption, fail, print_lines, stderr
from tenantctl.model.loaded import LoadedTenant
from tenantctl.model.settings import Settings
from tenantctl.objects.desired_state import fleet_objects
from tenantctl.objects.guardrails import SPECS, check_objects
from tenantctl.review.compliance import tenant_compliance
from tenantctl.review.gate import apply_gate
from tenantctl.review.incremental import guardrails_from, plan_incrementally
from tenantctl.review.plan import Plan, build_plan
from tenantctl.review.plan_report import Guardrails, as_json, invalid_markdown, markdown, text
from tenantctl.source.errors import EXIT_INVALID, EXIT_USAGE
from tenantctl.source.inert import plain
from tenantctl.source.tree import changed_paths


def _side(root: Path, rev: str | None, which: str, fallback: Settings | None = None) -> Side:
    try:
        return read_side(root, rev, fallback)
    except RevisionError as exc:
        fail(f"cannot read revision {plain(repr(rev))} ({which}): {plain(str(exc))}", code=EXIT_USAGE)
    except SettingsError as exc:
        for problem in exc.problems:
            stderr.print(plain(problem.text()), markup=False)
        fail(f"the platform settings of the {which} ({plain(rev or 'working tree')}) are invalid")


def plan(
    base: Annotated[str | None, typer.Option(help="Git revision to compare with (e.g. main, origin/main). "
                                                "Without it, everything is planned as new.")] = None,
    head: Annotated[str | None, typer.Option(help="Git revision to plan, read from git objects (no "
                                                "checkout). Without it, the working tree.")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text, markdown (the PR comment) or json.")]
    = Format.text,
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
    provenance: Annotated[str, typer.Option(help="Say which code computed this plan from which data (shown at "
                                            "the top, e.g. in CI).")] = "",
    today: Annotated[str | None, typer.Option(help="Today's date for lifecycle rules (YYYY-MM-DD; tests).",
                                                 hidden=True)] = None,
    incremental: Annotated[bool, typer.Option(help="With --base and the working tree: read only the tenant "
                                              "files that changed, with a per-tenant summary cache for the "
                                              "fleet-wide totals ($TENANTCTL_CACHE_DIR, else ~/.cache/tenantctl). "
                                              "Same plan.")] = True,
    root: RootOption = Path("."),
) -> None:
    """Compare the tenants at BASE with HEAD. Exit 1 if data would be deleted, a rule refuses the change, or the
    tenant files are invalid; 2 for a usage error (unknown revision)."""
    try:
        day = datetime.date.fromisoformat(today) if today else datetime.date.today()
    except ValueError:
        fail(f"--today {plain(repr(today))} is not a date (YYYY-MM-DD)", code=EXIT_USAGE)
    quick = plan_incrementally(root, base, check_objects, len(SPECS), day) \
        if base is not None and head is None and incremental else None
    if quick is not None:
        quick.plan.provenance = provenance
        _report(quick.plan, quick.guardrails, quick.head_tenants, quick.settings, output=output,
                output_format=output_format)
        return
    head_side = _side(root, head, "head")
    if head_side.errors:
        for problem in head_side.errors:
            stderr.print(plain(problem.text()), markup=False)
        if output_format is Format.markdown:
            _write(invalid_markdown(head_side.errors, base, provenance), output, output_format)
        fail("the tenant files are invalid; run `tenantctl validate` for details")
    base_side = _side(root, base, "base", head_side.settings) if base is not None else None
    changed = None
    if base_side is not None:
        try:
            changed = changed_paths(root, base_side.commit or "", head_side.commit)
        except RevisionError as exc:
            fail(f"cannot compare {plain(base)} with the head: {plain(str(exc))}", code=EXIT_USAGE)
    result = build_plan(base_side.fleet if base_side else None, head_side.fleet,
                        base_side.settings if base_side else head_side.settings, head_side.settings, base, today=day)
    apply_gate(result, base_side, head_side, changed, day)
    result.provenance = provenance
    guardrails = guardrail_status(head_side.fleet, head_side.settings)
    _report(result, guardrails, head_side.fleet.tenants, head_side.settings, output=output,
            output_format=output_format)


def _report(result: Plan, guardrails: Guardrails, head_tenants: list[LoadedTenant], settings: Settings, *,
            output: Path | None, output_format: Format) -> None:
    """Write the plan; exit 1 when it fails (data deleted, a rule refuses the change)."""
    if output_format is Format.markdown:
        touched = {item.tenant for item in result.touched}
        compliance = {loaded.tenant.name: tenant_compliance(loaded.tenant, settings)
                      for loaded in head_tenants if loaded.tenant.name in touched}
        rendered = markdown(result, guardrails, compliance)
    elif output_format is Format.json:
        rendered = as_json(result, guardrails)
    else:
        rendered = text(result, guardrails)
    _write(rendered, output, output_format)
    if result.fails:
        if result.blocking_removals:
            stderr.print(f"plan: {len(result.blocking_removals)} namespace(s)/volume(s) would be deleted; "
                         "use `status: decommissioned` instead", markup=False)
        if result.blocking:
            stderr.print(f"plan: the change is refused: {len(result.blocking)} problem(s)", markup=False)
        raise typer.Exit(EXIT_INVALID)


def _write(rendered: str, output: Path | None, output_format: Format) -> None:
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
    elif output_format is Format.text:
        print_lines(rendered)
    else:
        print(rendered, end="")


def guardrail_status(head: Fleet, settings: Settings) -> Guardrails:
    """Validation passed (plan needs a valid head); run the policy pack offline over the head's objects."""
    objects = fleet_objects([loaded.tenant for loaded in head.tenants], settings)
    violations = check_objects(objects, settings)
    return guardrails_from([astuple(v) for v in violations], len(head.tenants), len(SPECS))


def register(app: typer.Typer) -> None:
    app.command()(plan)
