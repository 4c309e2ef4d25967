"""The repository's CODEOWNERS file checked against the fleet (a fleet invariant, checked by `tenantctl check`)."""

from __future__ import annotations

from tenantctl.checks.loading import Fleet
from tenantctl.checks.workspace import Workspace
from tenantctl.rules.codeowners import codeowners_problems
from tenantctl.source.codeowners import parse_codeowners
from tenantctl.source.problems import Problem
from tenantctl.source.yaml import YamlFileError, read_bounded

MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024  # GitHub ignores a CODEOWNERS file over 3 MB


def codeowners_check(ws: Workspace, fleet: Fleet) -> list[Problem]:
    """Problems with the CODEOWNERS lines of the fleet's tenant files; none when settings do not ask for them."""
    settings = ws.settings.code_owners
    if settings is None:
        return []
    path = ws.root / settings.file
    try:  # a regular file of bounded size only: a FIFO or a link to /dev/zero must not hang `check`
        text = read_bounded(path, limit=MAX_CODEOWNERS_BYTES).decode("utf-8")
    except (YamlFileError, UnicodeDecodeError):
        text = ""
    return sorted(codeowners_problems(fleet.tenants, parse_codeowners(text), settings))
