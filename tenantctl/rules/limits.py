"""Rules for one tenant with the platform's settings: names, limits, storage classes, clusters, backups."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

from tenantctl.model.loaded import LoadedTenant
from tenantctl.model.quantity import format_bytes, format_cpu
from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Environment, Tenant
from tenantctl.rules.deploy import deploy_problems
from tenantctl.rules.domain import approval_reasons, backups_required, is_production
from tenantctl.source.problems import Problem
from tenantctl.source.yaml import YamlDocument

MAX_NAMESPACE_LENGTH = 63


def tenant_problems(loaded: LoadedTenant, settings: Settings) -> Iterable[Problem]:
    """Rules for one tenant: file name, namespace names, limits, storage classes, backups; approvals if valid."""
    tenant, document = loaded.tenant, loaded.document
    problems: list[Problem] = []
    expected = Path(loaded.path).stem
    if tenant.name != expected:
        problems.append(document.problem(["name"], f"name {tenant.name!r} must equal the file name {expected!r}: "
                                         f"rename the file to {tenant.name}.yaml or set name: {expected}"))
    reserved = settings.reserved_by(tenant.name)
    if reserved:
        problems.append(document.problem(["name"], f"name {tenant.name!r} is reserved for the platform "
                                         f"(it matches {reserved!r}): choose another name"))
    problems.extend(lifecycle_problems(loaded))
    limits = settings.limits
    if len(tenant.environments) > limits.environments:
        problems.append(document.problem(["environments"], f"{len(tenant.environments)} environments is more than "
                                         f"the platform limit of {limits.environments}: remove some"))
    for env_name, env in tenant.environments.items():
        problems.extend(_environment_problems(document, tenant, env_name, env, settings))
    if not problems:
        problems.extend(document.problem([], reason, "approval") for reason in approval_reasons(tenant, settings))
    return problems


def _environment_problems(document: YamlDocument, tenant: Tenant, env_name: str, env: Environment,
                          settings: Settings) -> Iterable[Problem]:
    loc: list[str | int] = ["environments", env_name]
    namespace = tenant.namespace(env_name)
    if len(namespace) > MAX_NAMESPACE_LENGTH:
        yield document.problem(loc, f"namespace {namespace!r} is {len(namespace)} characters; Kubernetes allows "
                               f"{MAX_NAMESPACE_LENGTH}: shorten the tenant or environment name")
    reserved = settings.reserved_by(namespace)
    if reserved:
        yield document.problem(loc, f"namespace {namespace!r} is reserved for the platform (it matches "
                               f"{reserved!r}): choose another name")
    yield from environment_limit_problems(document, env_name, env, settings)
    if env.backups is None and backups_required(tenant, env_name, env, settings):
        why = (f"production environment {env_name!r}" if is_production(env_name, env, settings)
               else f"environment {env_name!r} with {tenant.data_classification} data")
        yield document.problem(loc, f"{why} must have backups: add "
                               "`backups: {per_day: 1, retention_days: 30}` (or more)")
    yield from deploy_problems(document, env_name, env, settings)


def environment_limit_problems(document: YamlDocument, env_name: str, env: Environment,
                               settings: Settings) -> Iterable[Problem]:
    """The platform's limits, storage classes and clusters: rules that need only the environment itself."""
    loc: list[str | int] = ["environments", env_name]
    limits = settings.limits
    if env.cpu > limits.cpu:
        yield document.problem([*loc, "cpu"], f"cpu {format_cpu(env.cpu)} is above the platform limit of "
                               f"{format_cpu(limits.cpu)} cores per environment: lower it or split the workload")
    if env.memory > limits.memory:
        yield document.problem([*loc, "memory"], f"memory {format_bytes(env.memory)} is above the platform limit "
                               f"of {format_bytes(limits.memory)} per environment: lower it")
    if len(env.storage) > limits.volumes:
        yield document.problem([*loc, "storage"], f"{len(env.storage)} volumes is more than the platform limit of "
                               f"{limits.volumes} per environment: combine volumes")
    if env.storage_total > limits.storage_total:
        yield document.problem([*loc, "storage"], f"storage {format_bytes(env.storage_total)} in total is above "
                               f"the platform limit of {format_bytes(limits.storage_total)} per environment: "
                               "make volumes smaller")
    for index, volume in enumerate(env.storage):
        if volume.size > limits.volume_size:
            yield document.problem([*loc, "storage", index, "size"], f"volume size {format_bytes(volume.size)} is "
                                   f"above the platform limit of {format_bytes(limits.volume_size)}: make it "
                                   "smaller or split it")
        if volume.storage_class is not None and volume.storage_class not in settings.storage.allowed_classes:
            yield document.problem([*loc, "storage", index, "storage_class"], f"storage class "
                                   f"{volume.storage_class!r} is not offered: use one of "
                                   f"{', '.join(settings.storage.allowed_classes)}")
    if env.cluster is not None and env.cluster not in settings.cluster_names:
        yield document.problem([*loc, "cluster"], f"cluster {env.cluster!r} does not exist: use one of "
                               f"{', '.join(settings.cluster_names)} (or leave it out for the default)")


def lifecycle_problems(loaded: LoadedTenant, today: datetime.date | None = None) -> list[Problem]:
    """`decommissioned` needs a retention date; `released` only once that date has passed."""
    tenant, document = loaded.tenant, loaded.document
    if tenant.status == "decommissioned" and tenant.retain_until is None:
        return [document.problem(["status"], "a decommissioned tenant needs a retention date: add "
                                 "`retain_until: YYYY-MM-DD`, the day until which its volumes and backups are kept")]
    if tenant.status == "released":
        if tenant.retain_until is None:
            return [document.problem(["status"], "a released tenant needs the retention date that has passed: "
                                     "add `retain_until: YYYY-MM-DD`")]
        if tenant.retain_until >= (today or datetime.date.today()):
            return [document.problem(["status"], f"`released` is allowed only after retain_until "
                                     f"({tenant.retain_until.isoformat()}): keep `status: decommissioned` until then")]
    return []
