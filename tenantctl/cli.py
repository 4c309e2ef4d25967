"""The `tenantctl` command line: the front door for people and CI.

Each module in `tenantctl/commands/` adds its commands to `app` through a `register(app)` function.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

import tenantctl.commands

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


for module_info in sorted(pkgutil.iter_modules(tenantctl.commands.__path__), key=lambda info: info.name):
    importlib.import_module(f"tenantctl.commands.{module_info.name}").register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
