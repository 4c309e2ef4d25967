"""Load tenant files and check them: the model, the platform's limits, and rules across files.

Every problem comes back as a `Problem` with file, line, column and field; all are found in one pass.
"""

from __future__ import annotations

import datetime
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from pydantic import BaseModel, ValidationError

from tenantctl.model import Environment, Tenant
from tenantctl.problems import Problem
from tenantctl.quantity import format_bytes, format_cpu
from tenantctl.settings import Settings
from tenantctl.yaml_source import YamlDocument, YamlFileError, parse_bytes, read_document

MAX_NAMESPACE_LENGTH = 63


@dataclass
class LoadedTenant:
    """A tenant that passed the model, with the document it came from (for positions)."""

    path: str
    document: YamlDocument
    tenant: Tenant


@dataclass
class Fleet:
    """All tenants read from one tree (the working tree or a git revision) and what is wrong with them."""

    tenants: list[LoadedTenant] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(problem.severity == "error" for problem in self.problems)

    def by_name(self) -> dict[str, Tenant]:
        return {loaded.tenant.name: loaded.tenant for loaded in self.tenants}


# --- reading files -------------------------------------------------------------------------------------------

class SettingsError(Exception):
    """The platform settings file is invalid; `problems` says where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(problem.text() for problem in problems))
        self.problems = problems


def load_settings(path: Path) -> Settings:
    """Read and validate the platform settings file."""
    try:
        document = read_document(path)
    except YamlFileError as exc:
        raise SettingsError([exc.problem]) from None
    return settings_from_document(document)


def settings_from_document(document: YamlDocument) -> Settings:
    try:
        return Settings.model_validate(document.data)
    except ValidationError as exc:
        raise SettingsError(model_problems(document, exc, Settings)) from None


def load_tenant(raw: bytes, path: str, settings: Settings) -> tuple[LoadedTenant | None, list[Problem]]:
    """Parse and check one tenant file on its own (cross-file rules come later)."""
    try:
        document = parse_bytes(raw, path)
    except YamlFileError as exc:
        return None, [exc.problem]
    try:
        tenant = Tenant.model_validate(document.data)
    except ValidationError as exc:
        return None, sorted(model_problems(document, exc, Tenant) + partial_problems(document, settings))
    loaded = LoadedTenant(path, document, tenant)
    return loaded, list(tenant_problems(loaded, settings))


def partial_problems(document: YamlDocument, settings: Settings) -> list[Problem]:
    """When the tenant as a whole is invalid, still check the platform limits of each environment that is
    valid on its own, so one pass reports everything that can be known."""
    environments = document.data.get("environments")
    if not isinstance(environments, dict):
        return []
    problems: list[Problem] = []
    for env_name, raw in environments.items():
        try:
            env = Environment.model_validate(raw)
        except ValidationError:
            continue  # its own errors are already in the model's problems
        problems.extend(environment_limit_problems(document, str(env_name), env, settings))
    return problems


def tenant_files(paths: Sequence[Path]) -> list[Path]:
    """Expand folders to their `*.yaml`/`*.yml` files, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


def load_fleet(files: Iterable[tuple[str, bytes]], settings: Settings) -> Fleet:
    """Check every (display path, content) pair and the rules across them."""
    fleet = Fleet()
    for path, raw in files:
        loaded, problems = load_tenant(raw, path, settings)
        fleet.problems.extend(problems)
        if loaded:
            fleet.tenants.append(loaded)
    fleet.problems.extend(fleet_problems(fleet.tenants))
    fleet.problems.sort()
    return fleet


def load_paths(paths: Sequence[Path], settings: Settings) -> Fleet:
    """Load tenant files from disk; unreadable files become problems, not tracebacks."""
    contents: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for path in tenant_files(paths):
        try:
            contents.append((str(path), path.read_bytes()))
        except OSError as exc:
            problems.append(Problem(str(path), 1, 1, "", f"cannot read the file: {exc.strerror}"))
    fleet = load_fleet(contents, settings)
    fleet.problems = sorted(problems + fleet.problems)
    return fleet


# --- pydantic errors in plain words --------------------------------------------------------------------------

def model_problems(document: YamlDocument, error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = [part for part in item["loc"] if part != "[key]"]
        is_key = "[key]" in item["loc"]
        problems.append(document.problem(loc, _plain_message(item, loc, is_key, model)))
    return sorted(set(problems))


def _plain_message(item: Any, loc: list[str | int], is_key: bool, model: type[BaseModel]) -> str:
    kind, message, value, ctx = item["type"], item["msg"], item.get("input"), item.get("ctx", {})
    name = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, loc[:-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed here: {', '.join(allowed)}"
        return f"unknown field {name!r}: remove it or fix the spelling; {hint}"
    if kind == "missing":
        where = " (see schema/tenant.schema.json)" if model is Tenant else ""
        return f"required field {name!r} is missing: add it{where}"
    if kind == "string_pattern_mismatch" and "a-z0-9" in str(ctx.get("pattern", "")):
        what = "name" if is_key else "value"
        return (f"{_show(value)} is not a valid {what}: use lowercase letters, digits and '-', starting and ending "
                "with a letter or digit (a DNS label)")
    if kind == "string_pattern_mismatch" and name == "contact":
        return f"{_show(value)} is not an e-mail address: write a mailbox that reaches the team, e.g. team@example.org"
    if kind == "string_pattern_mismatch":
        return f"{_show(value)} is not allowed here: use letters, digits and ':._@/-'"
    if kind == "literal_error":
        shown = _show(value) if isinstance(value, str) else _describe(value)
        return f"{shown} is not allowed: {message.replace('Input should be', 'use')}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        fix = ": remove the '- ' in front of the keys" if isinstance(value, list) else ""
        return f"write a mapping here (indented `key: value` lines), not {_describe(value)}{fix}"
    if kind == "list_type":
        return f"write a list here (items starting with '- ', or [a, b]), not {_describe(value)}"
    if kind == "string_type":
        fix = "" if isinstance(value, (dict, list)) or value is None else ": put it in quotes so YAML reads it as text"
        return f"write text here, not {_describe(value)}{fix}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"write a whole number such as 2 here, not {_describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"write true or false here, not {_describe(value)}"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        detail = f": {ctx['error']}" if ctx.get("error") else ""
        return f"write a date as YYYY-MM-DD such as 2030-12-31, not {_describe(value)}{detail}"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"{value} is too small: use {'at least' if kind == 'greater_than_equal' else 'more than'} {bound}"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return f"{value} is too large: use {'at most' if kind == 'less_than_equal' else 'less than'} {bound}"
    if kind == "string_too_short":
        return "must not be empty: fill it in"
    if kind == "too_short":
        return "must not be empty: add at least one entry"
    if kind == "string_too_long":
        return f"is {len(value)} characters, at most {ctx.get('max_length')} are allowed: shorten it"
    if kind == "invalid_key":
        return f"{name!r} is not a valid key: keys are plain names, e.g. `cpu: 4`"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    return message


def _show(value: Any, limit: int = 40) -> str:
    """A value as the user wrote it, quoted, cut short when long."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _describe(value: Any) -> str:
    """What the user wrote, in words that do not mention Python or ruamel types."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"{value.isoformat()} (a date)"
    return f"{_show(value)} (text)"


def _allowed_fields(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Field names of the model found by walking `loc` from the top-level model."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str) \
                and part in current.model_fields:
            current = current.model_fields[part].annotation
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
        else:
            return []
    current = _unwrap(current)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _unwrap(annotation: Any) -> Any:
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return annotation


# --- rules with the platform's settings ----------------------------------------------------------------------

def tenant_problems(loaded: LoadedTenant, settings: Settings) -> Iterable[Problem]:
    """Rules for one tenant: file name, namespace names, limits, storage classes, backups; approvals if valid."""
    tenant, document = loaded.tenant, loaded.document
    problems: list[Problem] = []
    expected = Path(loaded.path).stem
    if tenant.name != expected:
        problems.append(document.problem(["name"], f"name {tenant.name!r} must equal the file name {expected!r}: "
                                         f"rename the file to {tenant.name}.yaml or set name: {expected}"))
    if settings.is_reserved(tenant.name) or tenant.name in settings.protected_namespaces():
        problems.append(document.problem(["name"], f"name {tenant.name!r} is reserved for the platform "
                                         f"({', '.join(settings.reserved_namespaces)}): choose another name"))
    if tenant.status == "decommissioned" and tenant.retain_until is None:
        problems.append(document.problem(["status"], "a decommissioned tenant needs a retention date: add "
                                         "`retain_until: YYYY-MM-DD`, the day until which its volumes and backups "
                                         "are kept"))
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
    if settings.is_reserved(namespace) or namespace in settings.protected_namespaces():
        yield document.problem(loc, f"namespace {namespace!r} is reserved for the platform: choose another name")
    yield from environment_limit_problems(document, env_name, env, settings)
    if env.backups is None and backups_required(tenant, env_name, env, settings):
        why = (f"production environment {env_name!r}" if is_production(env_name, env, settings)
               else f"environment {env_name!r} with {tenant.data_classification} data")
        yield document.problem(loc, f"{why} must have backups: add "
                               "`backups: {per_day: 1, retention_days: 30}` (or more)")


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


def fleet_problems(tenants: Sequence[LoadedTenant]) -> Iterable[Problem]:
    """Rules across files: tenant names and namespaces are unique in the whole fleet."""
    seen_names: dict[str, str] = {}
    seen_namespaces: dict[str, str] = {}
    for loaded in tenants:
        tenant = loaded.tenant
        if tenant.name in seen_names:
            yield loaded.document.problem(["name"], f"tenant name {tenant.name!r} is already used by "
                                          f"{seen_names[tenant.name]}: choose another name")
        seen_names.setdefault(tenant.name, loaded.path)
        for env_name in tenant.environments:
            namespace = tenant.namespace(env_name)
            if namespace in seen_namespaces and seen_namespaces[namespace] != loaded.path:
                yield loaded.document.problem(["environments", env_name], f"namespace {namespace!r} is already "
                                              f"created by {seen_namespaces[namespace]}: rename this environment")
            seen_namespaces.setdefault(namespace, loaded.path)

