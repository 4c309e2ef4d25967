"""Scaffold new tenant files and environments: commented, valid, built from the platform's size presets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tenantctl.model.quantity import format_bytes, format_cpu, parse_bytes, parse_cpu
from tenantctl.model.settings import Preset, Settings
from tenantctl.model.tenant import Tenant
from tenantctl.rules.domain import backups_required

SCHEMA_HEADER = "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
INTRO = ("# Tenant file: one pull request creates one namespace per environment (<name>-<environment>).\n"
         "# Check it with `tenantctl validate`; change it with `tenantctl set` or by hand.\n")

# Which `tenantctl new` flag sets a field, so a problem in a file that was never written names the flag instead.
FLAGS = (
    (r"^name$", "NAME"),
    (r"^description$", "--description"),
    (r"^owner\.team$", "--team"),
    (r"^owner\.contact$", "--contact"),
    (r"^owner\.cost_center$", "--cost-center"),
    (r"^data_classification$", "--classification"),
    (r"^access\.(admin|edit|view)", r"--\1"),
    (r"^environments\.[^.]+\.cpu$", "--cpu"),
    (r"^environments\.[^.]+\.memory$", "--memory"),
    (r"^environments\.[^.]+\.storage\[\d+\]\.storage_class$", "--storage-class"),
    (r"^environments\.[^.]+\.storage", "--volume"),
    (r"^environments\.[^.]+\.backups\.per_day$", "--backups-per-day"),
    (r"^environments\.[^.]+\.backups\.retention_days$", "--retention-days"),
    (r"^environments\.[^.]+\.backups$", "--backups-per-day / --no-backups"),
    (r"^environments\.[^.]+\.production$", "--production"),
    (r"^environments\.[^.]+\.cluster$", "--cluster"),
    (r"^environments", "--env"),
)


def flag_for(field_path: str) -> str:
    """The `tenantctl new` option that sets `field_path` (e.g. `owner.contact` -> `--contact`)."""
    for pattern, flag in FLAGS:
        match = re.match(pattern, field_path)
        if match:
            return match.expand(flag)
    return field_path


@dataclass(frozen=True)
class EnvironmentRequest:
    """One environment to create; anything left None comes from the size preset."""

    name: str
    preset: Preset
    cpu: str | None = None
    memory: str | None = None
    volumes: tuple[tuple[str, str], ...] | None = None  # (name, size); None: one `data` volume of the preset
    backups_per_day: int | None = None
    retention_days: int | None = None
    backups: bool = True
    production: bool | None = None
    storage_class: str | None = None
    cluster: str | None = None


@dataclass(frozen=True)
class TenantRequest:
    """Everything `tenantctl new` asks for."""

    name: str
    description: str
    team: str
    contact: str
    cost_center: str
    classification: str
    environments: tuple[EnvironmentRequest, ...]
    access: dict[str, list[str]] = field(default_factory=dict)


COMMENT_COLUMN = 32  # comments line up, as in tenants/amt.yaml


def _note(mapping: CommentedMap, text: str, key: str) -> None:
    """A short end-of-line comment on `key`, aligned with the others."""
    mapping.yaml_add_eol_comment(text, key, column=COMMENT_COLUMN)


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _cpu_value(text: str) -> int | str:
    """Whole cores as a number (`4`), anything else as Kubernetes writes it (`500m`, `2.5`)."""
    cores = parse_cpu(text)
    return int(cores) if cores == cores.to_integral_value() else format_cpu(cores)


def _size_value(text: str) -> str:
    try:
        return format_bytes(parse_bytes(text))
    except ValueError:
        return text  # kept as written: validation then names the flag and says what to write


def environment_map(request: EnvironmentRequest) -> CommentedMap:
    """The YAML mapping of one environment, with a short comment on each field."""
    preset = request.preset
    env = CommentedMap()
    if request.production is not None:
        env["production"] = request.production
        _note(env, "explicit; otherwise the platform's list of production names decides",
                                 "production")
    if request.cluster:
        env["cluster"] = request.cluster
        _note(env, "cluster from platform/settings.yaml", "cluster")
    try:
        env["cpu"] = _cpu_value(request.cpu) if request.cpu is not None else _cpu_value(format_cpu(preset.cpu))
    except ValueError:
        env["cpu"] = request.cpu
    _note(env, "cores for the whole namespace: 4, 500m, 2.5", "cpu")
    env["memory"] = _size_value(request.memory) if request.memory else format_bytes(preset.memory)
    _note(env, "memory for the whole namespace, with a unit: 512Mi, 4Gi", "memory")
    volumes = request.volumes
    if volumes is None and preset.volume_size:
        volumes = (("data", format_bytes(preset.volume_size)),)
    if volumes:
        storage = CommentedSeq()
        for name, size in volumes:
            volume = CommentedMap(name=name, size=_size_value(size))
            if request.storage_class:
                volume["storage_class"] = request.storage_class
            storage.append(volume)
        env["storage"] = storage
        _note(env, "persistent volumes: name, size (optional storage_class)", "storage")
    if request.backups:
        backups = CommentedMap()
        backups["per_day"] = request.backups_per_day or preset.backups_per_day
        backups["retention_days"] = request.retention_days or preset.retention_days
        backups.fa.set_flow_style()
        env["backups"] = backups
        _note(env, "Velero backups per day (1-24) and days kept", "backups")
    return env


def tenant_map(request: TenantRequest) -> CommentedMap:
    """The whole tenant file as round-trip YAML data, with a short comment on each field."""
    data = CommentedMap()
    data["name"] = request.name
    _note(data, "must equal the file name; a DNS label", "name")
    data["description"] = request.description
    _note(data, "what runs here, in one line", "description")
    owner = CommentedMap()
    owner["team"] = request.team
    owner["contact"] = request.contact
    _note(owner, "a mailbox that reaches the team", "contact")
    owner["cost_center"] = request.cost_center
    _note(owner, "charged for the cost below", "cost_center")
    data["owner"] = owner
    _note(data, "who owns and pays", "owner")
    data["data_classification"] = request.classification
    _note(data, "BIO security level: BBN1 | BBN2 | BBN3", "data_classification")
    access = CommentedMap((role, _flow(groups)) for role, groups in request.access.items() if groups)
    if access:
        data["access"] = access
        _note(data, "identity-provider groups -> Kubernetes roles admin, edit, view", "access")
    environments = CommentedMap((env.name, environment_map(env)) for env in request.environments)
    data["environments"] = environments
    _note(data, "one namespace per environment: <name>-<environment>", "environments")
    return data


def default_environments(settings: Settings, names: list[str]) -> list[str]:
    """The environment names to create when none are given: test and the first production name."""
    return names or ["test", settings.production_environments[0]]


def drop_optional_backups(data: CommentedMap, settings: Settings) -> list[str]:
    """Remove backups where the platform does not require them (validation's rule); returns the environments
    that keep them because they must. Leaves `data` alone when it is not a valid tenant yet."""
    try:
        tenant = Tenant.model_validate(data)
    except ValidationError:
        return []
    kept = []
    for name, env in tenant.environments.items():
        if backups_required(tenant, name, env, settings):
            kept.append(name)
        else:
            data["environments"][name].pop("backups", None)
    return kept
