"""Cost per year from the platform's price list (example rates until a platform sets its own).

Per environment and month: cores x core price + GiB memory x memory price + GiB storage x storage price
+ backup storage (GiB of volumes x backup_storage_factor, only when backups are on) x backup price.
A year is 12 months. Quotas are what is reserved, so quotas are what is charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tenantctl.model.quantity import gib
from tenantctl.model.settings import Pricing, Settings
from tenantctl.model.tenant import Environment, Tenant

MONTHS = 12
CENT = Decimal("0.01")


@dataclass(frozen=True)
class EnvironmentCost:
    environment: str
    compute: Decimal
    memory: Decimal
    storage: Decimal
    backup: Decimal

    @property
    def yearly(self) -> Decimal:
        return self.compute + self.memory + self.storage + self.backup


@dataclass(frozen=True)
class TenantCost:
    tenant: str
    team: str
    cost_center: str
    currency: str
    environments: tuple[EnvironmentCost, ...]

    @property
    def yearly(self) -> Decimal:
        return sum((env.yearly for env in self.environments), Decimal(0))


def _year(monthly: Decimal) -> Decimal:
    return (monthly * MONTHS).quantize(CENT, rounding=ROUND_HALF_UP)


def environment_cost(name: str, env: Environment, pricing: Pricing) -> EnvironmentCost:
    storage_gib = gib(env.storage_total)
    backup_gib = storage_gib * pricing.backup_storage_factor if env.backups else Decimal(0)
    return EnvironmentCost(
        environment=name,
        compute=_year(env.cpu * pricing.core_month),
        memory=_year(gib(env.memory) * pricing.memory_gib_month),
        storage=_year(storage_gib * pricing.storage_gib_month),
        backup=_year(backup_gib * pricing.backup_gib_month),
    )


def tenant_cost(tenant: Tenant, settings: Settings) -> TenantCost:
    """Yearly cost of a tenant, per environment."""
    pricing = settings.pricing
    return TenantCost(tenant.name, tenant.owner.team, tenant.owner.cost_center, pricing.currency,
                      tuple(environment_cost(name, tenant.environments[name], pricing)
                            for name in sorted(tenant.environments)))


def money(amount: Decimal, currency: str) -> str:
    """`1764.00 EUR` -> `EUR 1,764.00`; negative amounts keep their sign."""
    return f"{currency} {amount:,.2f}"
