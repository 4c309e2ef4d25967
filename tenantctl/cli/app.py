"""The `tenantctl` command line: the front door for people and CI.

Each module in `tenantctl/cli/commands/` adds its commands to a Typer app through a `register(app)` function.
The modules are listed here explicitly and imported only when one of their commands runs, so `tenantctl
validate` does not pay for Pulumi, the policy pack or the GitHub client.
"""

from __future__ import annotations

import gc
import importlib
from functools import cache
from typing import Any

import typer
from typer.core import TyperGroup

from tenantctl.source.errors import UserError

# Command modules in the order `tenantctl --help` lists them.
COMMAND_MODULES = ("validate", "render", "plan", "check", "cost", "report", "scaffold", "deploy", "schema", "ci")
# The module of each command, so that running one imports only its own module.
COMMAND_HOME = {"validate": "validate", "render": "render", "plan": "plan", "check": "check", "cost": "cost",
                "report": "report", "new": "scaffold", "set": "scaffold", "add-env": "scaffold",
                "add-volume": "scaffold", "add-deploy": "deploy", "authentication-config": "deploy",
                "schema": "schema", "ci": "ci"}


@cache
def _commands(*modules: str) -> Any:
    """The click group holding the commands that `modules` register."""
    sub_app = typer.Typer()
    for module in modules:
        importlib.import_module(f"tenantctl.cli.commands.{module}").register(sub_app)
    return typer.main.get_group(sub_app)


class LazyCommands(TyperGroup):
    """Imports a command's module when the command is looked up, not at start-up."""

    def list_commands(self, ctx: Any) -> list[str]:  # noqa: ARG002 - click's signature
        return list(_commands(*COMMAND_MODULES).commands)

    def invoke(self, ctx: Any) -> Any:
        """The CLI edge: a `UserError` from any command becomes its lines on stderr and its exit code."""
        try:
            return super().invoke(ctx)
        except UserError as error:
            for line in error.lines():
                typer.echo(line, err=True)
            raise typer.Exit(error.exit_code) from None

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        home = COMMAND_HOME.get(cmd_name)
        found = _commands(home).get_command(ctx, cmd_name) if home else None
        return found or _commands(*COMMAND_MODULES).get_command(ctx, cmd_name)


app = typer.Typer(
    name="tenantctl",
    cls=LazyCommands,
    help="Tenant platform: validate, render, plan and report on tenants/<name>.yaml files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main() -> None:
    """Tenant platform: one pull request gives a team production Kubernetes namespaces."""


def main() -> None:
    # A run builds many small long-lived objects (parsed files, models) and little cyclic garbage: with the default
    # thresholds the collector walks them again and again (half of what remained of `validate` once parsing was
    # fast). Objects from the imports are frozen out of collection; young collections run every 100,000 objects.
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    app()


if __name__ == "__main__":
    main()
