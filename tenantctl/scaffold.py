"""Scaffold new tenant files and environments: commented, valid, built from the platform's presets."""

from __future__ import annotations

from dataclasses import dataclass, field

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tenantctl.quantity import format_bytes, format_cpu, parse_bytes, parse_cpu
from tenantctl.settings import Preset, Settings

SCHEMA_HEADER = "# yaml-language-server: $schema=../schema/tenant.schema.json\n"


@dataclass(frozen=True)
class EnvironmentRequest:
    """One environment to create; anything left None comes from the preset."""

    name: str
    preset: Preset
    cpu: str | None = None
    memory: str | None = None
    volumes: tuple[tuple[str, str], ...] | None = None  # (name, size); None: one `data` volume of the preset
    backups_per_day: int | None = None
    retention_days: int | None = None
    backups: bool = True
    production: bool | None = None


@dataclass(frozen=True)
class TenantRequest:
    name: str
    description: str
    team: str
    contact: str
    cost_center: str
    classification: str
    environments: tuple[EnvironmentRequest, ...]
    access: dict[str, list[str]] = field(default_factory=dict)


def _flow(items: list) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def environment_map(request: EnvironmentRequest) -> CommentedMap:
    """The YAML mapping of one environment, with short comments on each field."""
    preset = request.preset
    env = CommentedMap()
    env["cpu"] = _cpu_value(request.cpu if request.cpu is not None else format_cpu(preset.cpu))
    env.yaml_add_eol_comment("cores for the whole namespace: 4, \"500m\", \"2.5\"", "cpu")
    env["memory"] = format_bytes(parse_bytes(request.memory)) if request.memory else format_bytes(preset.memory)
    env.yaml_add_eol_comment("memory for the whole namespace, with a unit", "memory")
    volumes = request.volumes
    if volumes is None and preset.volume_size:
        volumes = (("data", format_bytes(preset.volume_size)),)
    if volumes:
        env["storage"] = CommentedSeq([CommentedMap(name=name, size=size) for name, size in volumes])
        env.yaml_add_eol_comment("persistent volumes (name, size; optional storage_class)", "storage")
    if request.backups:
        backups = CommentedMap()
        backups["per_day"] = request.backups_per_day or preset.backups_per_day
        backups["retention_days"] = request.retention_days or preset.retention_days
        backups.fa.set_flow_style()
        env["backups"] = backups
        env.yaml_add_eol_comment("Velero backups of the namespace and its volumes", "backups")
    if request.production is not None:
        env["production"] = request.production
    return env


def _cpu_value(text: str) -> int | str:
    cores = parse_cpu(text)
    return int(cores) if cores == cores.to_integral_value() else format_cpu(cores)


def tenant_map(request: TenantRequest) -> CommentedMap:
    data = CommentedMap()
    data["name"] = request.name
    data.yaml_add_eol_comment("must equal the file name; a DNS label", "name")
    data["description"] = request.description
    owner = CommentedMap(team=request.team, contact=request.contact, cost_center=request.cost_center)
    data["owner"] = owner
    data.yaml_add_eol_comment("who owns and pays: the contact must reach the team", "owner")
    data["data_classification"] = request.classification
    data.yaml_add_eol_comment("BIO security level: BBN1 | BBN2 | BBN3", "data_classification")
    access = CommentedMap((role, _flow(groups)) for role, groups in request.access.items() if groups)
    if access:
        data["access"] = access
        data.yaml_add_eol_comment("identity-provider groups -> Kubernetes roles", "access")
    environments = CommentedMap((env.name, environment_map(env)) for env in request.environments)
    data["environments"] = environments
    data.yaml_add_eol_comment("one namespace per environment: <name>-<environment>", "environments")
    return data


def default_environments(settings: Settings, names: list[str]) -> list[str]:
    """The environment names to create when none are given: test and the first production name."""
    return names or ["test", settings.production_environments[0]]
