"""The `tenantctl` command line: the front door for people and CI.

Each module in `tenantctl/cli/commands/` adds its commands to `app` through a `register(app)` function;
the list below is explicit, and each module defers its heavy imports into the command bodies.
"""

from __future__ import annotations

import typer

from tenantctl.cli.commands import check, ci, cost, plan, render, report, scaffold, schema, validate

app = typer.Typer(
    name="tenantctl",
    help="Tenant platform: validate, render, plan and report on tenants/<name>.yaml files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _main() -> None:
    """Tenant platform: one pull request gives a team production Kubernetes namespaces."""


for command_module in (validate, render, plan, check, cost, report, scaffold, schema, ci):
    command_module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
