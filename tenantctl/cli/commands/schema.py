"""`tenantctl schema`: write (or check) schema/tenant.schema.json from the model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tenantctl.cli.support import RootOption, fail, stdout
from tenantctl.model.schema import SCHEMA_PATH, tenant_schema_text


def schema(
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the committed schema is stale.")] = False,
    root: RootOption = Path("."),
) -> None:
    """Generate the tenant file JSON schema that editors use for autocompletion."""
    path = root / SCHEMA_PATH
    text = tenant_schema_text()
    if check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            fail(f"{SCHEMA_PATH} is stale: run `tenantctl schema` and commit the result")
        stdout.print(f"{SCHEMA_PATH} is up to date")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    stdout.print(f"wrote {SCHEMA_PATH}")


def register(app: typer.Typer) -> None:
    app.command()(schema)
