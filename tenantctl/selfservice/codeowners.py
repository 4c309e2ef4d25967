"""Give a new tenant file its CODEOWNERS line (its team and the platform team), next to the other tenants'."""

from __future__ import annotations

import os
from pathlib import Path

from tenantctl.checks.codeowners import MAX_CODEOWNERS_BYTES
from tenantctl.checks.workspace import Workspace
from tenantctl.rules.codeowners import codeowners_line, owners_for
from tenantctl.selfservice.editing import EditError, write_atomically
from tenantctl.source.codeowners import owning_rule, parse_codeowners
from tenantctl.source.yaml import YamlFileError, read_bounded


def with_line(text: str, line: str) -> str:
    """`text` with `line` added after the last `/tenants/...` line (or at the end)."""
    lines = text.splitlines()
    tenant_lines = [index for index, existing in enumerate(lines) if existing.startswith("/tenants/")]
    at = tenant_lines[-1] + 1 if tenant_lines else len(lines)
    return "\n".join([*lines[:at], line, *lines[at:]]) + "\n"


def _read(path: Path) -> str:
    """The CODEOWNERS text; a link, FIFO, device, huge or non-UTF-8 file is an EditError (nothing is written)."""
    try:
        return read_bounded(path, limit=MAX_CODEOWNERS_BYTES).decode("utf-8")
    except (YamlFileError, UnicodeDecodeError) as exc:
        reason = exc.problem.message if isinstance(exc, YamlFileError) else "it is not UTF-8"
        raise EditError(f"cannot update {path}: {reason}") from None


def add_tenant_owners(ws: Workspace, name: str, team: str, code_owner: str | None = None) -> str | None:
    """Write the CODEOWNERS line for tenants/NAME.yaml unless the file already has the right one; the line written."""
    settings = ws.settings.code_owners
    if settings is None:
        return None
    path = ws.root / settings.file
    text = _read(path) if os.path.lexists(path) else ""
    owners = owners_for(team, code_owner, settings)
    rule = owning_rule(parse_codeowners(text), f"tenants/{name}.yaml")
    if rule is not None and set(rule.owners) == set(owners):
        return None
    line = codeowners_line(f"tenants/{name}.yaml", owners)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, with_line(text, line))
    return line
