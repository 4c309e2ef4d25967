"""Every tenant file has a CODEOWNERS line naming its own team and the platform team."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tenantctl.model.loaded import LoadedTenant
from tenantctl.model.settings import CodeOwnerSettings
from tenantctl.model.tenant import Tenant
from tenantctl.source.codeowners import CodeOwnersRule, owning_rule
from tenantctl.source.problems import Problem


def team_handle(team: str) -> str:
    """A team's display name as a GitHub team slug: `Rijks ICT Gilde` -> `rijks-ict-gilde`."""
    return re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-") or "team"


def owners_for(team: str, code_owner: str | None, settings: CodeOwnerSettings) -> tuple[str, ...]:
    """Who must own a tenant's file: its code owner (or the default from its team), then the platform."""
    first = code_owner or f"@{settings.organisation}/{team_handle(team)}"
    return (first, *[owner for owner in settings.platform if owner != first])


def tenant_owners(tenant: Tenant, settings: CodeOwnerSettings) -> tuple[str, ...]:
    return owners_for(tenant.owner.team, tenant.owner.code_owner, settings)


def codeowners_line(path: str, owners: Sequence[str]) -> str:
    return f"/{path} {' '.join(owners)}"


def codeowners_problems(tenants: Sequence[LoadedTenant], rules: list[CodeOwnersRule],
                        settings: CodeOwnerSettings) -> Iterable[Problem]:
    """A missing or wrong CODEOWNERS line for any tenant file, with the exact line to write."""
    for loaded in tenants:
        path = f"tenants/{loaded.tenant.name}.yaml"
        expected = tenant_owners(loaded.tenant, settings)
        line = codeowners_line(path, expected)
        rule = owning_rule(rules, path)
        if rule is not None and set(rule.owners) == set(expected):
            continue
        if rule is not None and rule.pattern.lstrip("/") == path:
            yield Problem(settings.file, rule.line, 1, "", f"{path} is owned by {' '.join(rule.owners) or 'nobody'}; "
                          f"its team and the platform must review it: replace the line with `{line}`")
        else:
            yield loaded.document.problem(["owner"], f"{settings.file} has no line for {path}, so its team is not "
                                          f"asked to review changes: add the line `{line}`")
