"""Domain predicates: what counts as production, when backups are required, what needs approval."""

from __future__ import annotations

from tenantctl.model.quantity import format_bytes, format_cpu
from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Environment, Tenant


def is_production(env_name: str, env: Environment, settings: Settings) -> bool:
    """Production is explicit: the environment's `production` field, else the platform's list of names."""
    return env.production if env.production is not None else env_name in settings.production_environments


def backups_required(tenant: Tenant, env_name: str, env: Environment, settings: Settings) -> bool:
    """Backups are mandatory for production and for classified data (platform settings)."""
    return is_production(env_name, env, settings) or \
        tenant.data_classification in settings.backups.required_for_classifications


def approval_reasons(tenant: Tenant, settings: Settings) -> list[str]:
    """Why this tenant, though valid, needs the platform team's approval (empty when it does not)."""
    approval = settings.approval
    reasons = []
    if tenant.data_classification in approval.classifications:
        reasons.append(f"data classification {tenant.data_classification} needs platform and security approval")
    if len(tenant.environments) > approval.environments:
        reasons.append(f"{len(tenant.environments)} environments is more than {approval.environments}")
    for env_name, env in tenant.environments.items():
        if env.cpu > approval.cpu:
            reasons.append(f"{env_name}: cpu {format_cpu(env.cpu)} is more than {format_cpu(approval.cpu)} cores")
        if env.memory > approval.memory:
            reasons.append(f"{env_name}: memory {format_bytes(env.memory)} is more than "
                           f"{format_bytes(approval.memory)}")
        if env.storage_total > approval.storage_total:
            reasons.append(f"{env_name}: storage {format_bytes(env.storage_total)} is more than "
                           f"{format_bytes(approval.storage_total)}")
    return reasons
