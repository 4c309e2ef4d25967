"""`tenantctl validate`: check tenant files and report every problem at file:line:col."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.checks.revision import RevisionError, load_revision
from tenantctl.cli.support import RootOption, fail, stdout, workspace
from tenantctl.review.engine_rules import engine_problems
from tenantctl.source.errors import EXIT_INVALID, EXIT_USAGE
from tenantctl.source.inert import plain
from tenantctl.source.problems import as_json, errors


class ValidateFormat(StrEnum):
    text = "text"
    github = "github"
    json = "json"


def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Tenant files or folders (default: tenants/).",
                                                          exists=True)] = None,
    output: Annotated[ValidateFormat, typer.Option("--format", help="text, github (annotations) or json.")]
    = ValidateFormat.text,
    base: Annotated[str | None, typer.Option(help="Git revision whose tenants already exist (e.g. origin/main): "
                                                "also refuse changes Pulumi cannot apply to protected data.")] = None,
    root: RootOption = Path("."),
) -> None:
    """Check tenant files: all problems in one pass. Exit 0 valid, 1 invalid, 2 usage error."""
    ws = workspace(root)
    fleet = ws.load(paths or [])
    if base is not None and fleet.valid:
        try:
            base_settings, base_fleet = load_revision(root, base, ws.settings)
        except RevisionError as exc:
            fail(f"cannot read revision {plain(repr(base))}: {plain(str(exc))}", code=EXIT_USAGE)
        head = fleet if not paths else ws.load([])
        fleet.problems = sorted([*fleet.problems, *engine_problems(base_fleet, head, base_settings, ws.settings)])
    if output is ValidateFormat.json:
        print(as_json(fleet.problems))
    else:
        for problem in fleet.problems:
            print(problem.github() if output is ValidateFormat.github else problem.text())
        found = errors(fleet.problems)
        approvals = sorted({problem.path for problem in fleet.problems if problem.severity == "approval"})
        invalid = sorted({problem.path for problem in found})
        checked = len(fleet.tenants) + len({p.path for p in found} - {t.path for t in fleet.tenants})
        summary = f"{checked} tenant file(s) checked: {len(invalid)} invalid, {len(found)} problem(s)"
        if approvals:
            summary += f"; needs platform approval: {', '.join(approvals)}"
        if output is ValidateFormat.text:
            stdout.print(summary, style="red" if found else "green", markup=False)
        else:
            print(summary)
    if not fleet.valid:
        raise typer.Exit(EXIT_INVALID)


def register(app: typer.Typer) -> None:
    app.command()(validate)
