"""`tenantctl cost`: yearly cost of the fleet per tenant, per team and cost centre, and in total."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.cli.support import Format, RootOption, fail, print_rows, print_table, valid_fleet, workspace
from tenantctl.review.cost import TenantCost, money, tenant_cost


def cost(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant (per environment).")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text, markdown or json.")] = Format.text,
    root: RootOption = Path("."),
) -> None:
    """Cost per year from the platform's price list."""
    ws = workspace(root)
    costs = [tenant_cost(loaded.tenant, ws.settings) for loaded in valid_fleet(ws).tenants]
    if tenant is not None:
        costs = [item for item in costs if item.tenant == tenant]
        if not costs:
            fail(f"no tenant {tenant!r}", code=2)
    pricing = ws.settings.pricing
    if output_format is Format.json:
        print(json.dumps(_json(costs, pricing.currency, pricing.label), indent=2))
        return
    rows = [[item.tenant, env.environment, item.team, item.cost_center, money(env.yearly, item.currency)]
            for item in costs for env in item.environments]
    by_owner: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in costs:
        by_owner[(item.team, item.cost_center)] += item.yearly
    total = sum((item.yearly for item in costs), Decimal(0))
    print_rows(output_format, f"Cost per year ({pricing.label})",
               ["Tenant", "Environment", "Team", "Cost centre", "Per year"], rows)
    if output_format is Format.markdown:
        print(f"\n**Total: {money(total, pricing.currency)} per year** ({pricing.label})")
        return
    print_table("Per team and cost centre", ["Team", "Cost centre", "Per year"],
                [[team, center, money(amount, pricing.currency)]
                 for (team, center), amount in sorted(by_owner.items())])
    print(f"Total: {money(total, pricing.currency)} per year for {len(costs)} tenant(s)")


def _json(costs: list[TenantCost], currency: str, label: str) -> dict[str, object]:
    return {
        "currency": currency, "prices": label,
        "total": str(sum((item.yearly for item in costs), Decimal(0))),
        "tenants": [{"tenant": item.tenant, "team": item.team, "cost_center": item.cost_center,
                     "yearly": str(item.yearly),
                     "environments": [{"environment": env.environment, "compute": str(env.compute),
                                       "memory": str(env.memory), "storage": str(env.storage),
                                       "backup": str(env.backup), "yearly": str(env.yearly)}
                                      for env in item.environments]} for item in costs],
    }


def register(app: typer.Typer) -> None:
    app.command()(cost)
