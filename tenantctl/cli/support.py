"""Helpers shared by the CLI commands: the --root option, loading with clean exits, output."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tenantctl.checks.loading import Fleet
from tenantctl.checks.workspace import Workspace, open_workspace
from tenantctl.source.errors import EXIT_INVALID
from tenantctl.source.inert import plain, prose
from tenantctl.source.problems import errors

RootOption = Annotated[Path, typer.Option("--root", help="Repository root (holds tenants/ and platform/).",
                                          file_okay=False)]
stdout = Console(soft_wrap=True, highlight=False)
stderr = Console(stderr=True, soft_wrap=True, highlight=False)



class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    stderr.print(f"[red]error:[/red] {escape(message)}")  # the message may hold user text: never markup
    raise typer.Exit(code)


def workspace(root: Path) -> Workspace:
    """Open the repository; an invalid settings file is reported like a tenant file (a `SettingsError`)."""
    return open_workspace(root)


def valid_fleet(ws: Workspace) -> Fleet:
    """All tenants, or exit 1 with every problem on stderr (commands that render need a valid fleet)."""
    fleet = ws.load()
    if not fleet.valid:
        for problem in errors(fleet.problems):
            stderr.print(problem.text(), markup=False)
        fail("the tenant files are invalid; run `tenantctl validate` for details")
    return fleet


def print_table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    """A rich table on a terminal; aligned plain-text columns when piped or in CI logs. Cells from tenant files
    are shown with control, ANSI and bidi characters escaped."""
    rows = [[plain(cell) for cell in row] for row in rows]
    if stdout.is_terminal:
        table = Table(title=title, show_lines=False)
        for header in headers:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*(escape(cell) for cell in row))  # no rich markup from tenant files
        stdout.print(table)
        return
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    print(title)
    for row in [headers, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def print_rows(output_format: Format, title: str, headers: list[str], rows: list[list[str]]) -> None:
    """Rows as a markdown table (for PR comments and summaries) or as `print_table` for people."""
    if output_format is Format.markdown:
        print(f"| {' | '.join(headers)} |\n|{'---|' * len(headers)}")
        for row in rows:
            print(f"| {' | '.join(prose(cell) for cell in row)} |")
        return
    print_table(title, headers, rows)


def print_lines(text: str) -> None:
    """Plan-style text; on a terminal, removals red, additions green, changes yellow."""
    if not stdout.is_terminal:
        print(text, end="")
        return
    styles = {"!": "bold red", "-": "red", "+": "green", "~": "yellow"}
    for line in text.splitlines():
        stdout.print(line, style=styles.get(line.strip()[:1], ""), markup=False)
