"""The repository's CODEOWNERS file checked against the fleet (a fleet invariant, checked by `tenantctl check`)."""

from __future__ import annotations

from tenantctl.checks.loading import Fleet
from tenantctl.checks.workspace import Workspace
from tenantctl.rules.codeowners import codeowners_problems
from tenantctl.source.codeowners import parse_codeowners
from tenantctl.source.problems import Problem


def codeowners_check(ws: Workspace, fleet: Fleet) -> list[Problem]:
    """Problems with the CODEOWNERS lines of the fleet's tenant files; none when settings do not ask for them."""
    settings = ws.settings.code_owners
    if settings is None:
        return []
    path = ws.root / settings.file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return sorted(codeowners_problems(fleet.tenants, parse_codeowners(text), settings))
