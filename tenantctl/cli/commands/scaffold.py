"""Self-service: `tenantctl new`, `set`, `add-env`, `add-volume` — one command instead of 41 e-mails."""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tenantctl.checks.workspace import Workspace
from tenantctl.cli.support import RootOption, fail, stdout, workspace
from tenantctl.model.settings import Preset, Settings
from tenantctl.model.types import DNS_LABEL
from tenantctl.review.cost import money
from tenantctl.selfservice.codeowners import add_tenant_owners
from tenantctl.selfservice.editing import (
    EditError,
    EditResult,
    check_text,
    dump,
    edit_tenant,
    parse_field_path,
    parse_value,
    set_field,
    write_atomically,
    yaml_for,
    yearly_cost,
)
from tenantctl.selfservice.scaffold import (
    INTRO,
    SCHEMA_HEADER,
    EnvironmentRequest,
    TenantRequest,
    default_environments,
    drop_optional_backups,
    environment_map,
    flag_for,
    tenant_map,
)
from tenantctl.source.errors import EXIT_USAGE
from tenantctl.source.problems import Problem, errors

NEXT_STEP = "next: `tenantctl plan --base main`, then open a pull request"

Groups = Annotated[list[str] | None, typer.Option(metavar="GROUP", help="Identity-provider group, e.g. "
                                                     "github:team-name (repeat for more).")]
Size = Annotated[str | None, typer.Option(help="Size preset from platform/settings.yaml: small, medium, large.")]
Cpu = Annotated[str | None, typer.Option(help="Cores per environment: 4, 500m, 2.5 (overrides the size).")]
Memory = Annotated[str | None, typer.Option(help="Memory per environment, e.g. 4Gi (overrides the size).")]
Volumes = Annotated[list[str] | None, typer.Option("--volume", metavar="NAME=SIZE",
                                                      help="Persistent volume (repeat; default: the size's).")]
StorageClass = Annotated[str | None, typer.Option(help="Storage class of the volumes (default: the platform's).")]
BackupsPerDay = Annotated[int | None, typer.Option(help="Backups per day: 1, 2, 3, 4, 6, 8, 12 or 24.")]
RetentionDays = Annotated[int | None, typer.Option(help="Days each backup is kept.")]
NoBackups = Annotated[bool, typer.Option("--no-backups", help="No backups where the platform does not require "
                                         "them (production and classified data always get them).")]
Cluster = Annotated[str | None, typer.Option(help="Cluster from platform settings (default: the platform's).")]


def _backups_required_reason(settings: Settings) -> str:
    classes = ", ".join(settings.backups.required_for_classifications)
    return "the platform requires backups for production" + (f" and for {classes} data" if classes else "")


def interactive() -> bool:
    """Prompt only when a person is at a terminal; CI and pipes get an error listing the flags instead."""
    return sys.stdin.isatty()


def _preset(settings: Settings, size: str | None) -> Preset:
    name = size or settings.default_preset
    if name not in settings.presets:
        fail(f"--size {name!r} does not exist: use one of {', '.join(settings.presets)} (platform/settings.yaml)",
             code=EXIT_USAGE)
    return settings.presets[name]


def _volumes(specs: list[str] | None) -> tuple[tuple[str, str], ...] | None:
    if not specs:
        return None
    volumes = []
    for spec in specs:
        name, _, size = spec.partition("=")
        if not name.strip() or not size.strip():
            fail(f"--volume {spec!r}: write NAME=SIZE, e.g. --volume data=100Gi", code=EXIT_USAGE)
        volumes.append((name.strip(), size.strip()))
    return tuple(volumes)


def _cost_line(before: Decimal | None, after: Decimal | None, currency: str) -> str | None:
    if after is None:
        return None
    if before is None:
        return f"cost per year: {money(after, currency)}"
    delta = after - before
    if not delta:
        return f"cost per year: {money(after, currency)} (unchanged)"
    sign = "+" if delta >= 0 else "-"
    return f"cost per year: {money(before, currency)} → {money(after, currency)} ({sign}{money(abs(delta), currency)})"


def _print_notes(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem.text())


def _refuse(result: EditResult, problems: list[str]) -> NoReturn:
    for line in problems:
        stdout.print(line, markup=False)
    fail(f"nothing written: the result would be invalid; {result.path} is unchanged" if result.before else
         f"nothing written: fix the options above; {result.path} was not created")


def _apply(ws: Workspace, tenant: str, change: Callable[[CommentedMap], None]) -> None:
    """Edit, validate, write atomically; print the diff and the cost effect, or the problems and exit 1."""
    result = edit_tenant(ws, tenant, change)
    if not result.ok:
        print("refused change (not written):")
        print(result.diff(), end="")
        _refuse(result, [problem.text() for problem in result.problems])
    if not result.changed:
        stdout.print(f"no change: {result.path} already says that", markup=False)
        return
    write_atomically(result.path, result.after)
    print(result.diff(), end="")
    cost = _cost_line(result.cost_before, result.cost_after, ws.settings.pricing.currency)
    if cost:
        print(cost)
    _print_notes(result.problems)
    stdout.print(f"changed {result.path}; {NEXT_STEP}", markup=False)


def _ask_missing(name: str, values: dict[str, str | None]) -> dict[str, str] | None:
    """Missing required values: prompted for on a terminal (returned), otherwise exit 2 naming the flags to pass.
    None when nothing was missing."""
    missing = [flag for flag, value in values.items() if not value]
    if not missing:
        return None
    if not interactive():
        fail("missing " + ", ".join(f"--{flag}" for flag in missing) + f"; for example: tenantctl new {name} "
             "--team 'Team Name' --contact team@example.org --cost-center CC-0001 --size medium", code=EXIT_USAGE)
    return {flag: typer.prompt(flag.replace("-", " ").capitalize()) for flag in missing}


def new(
    name: Annotated[str, typer.Argument(help="Tenant name (a DNS label); the file becomes tenants/NAME.yaml.")],
    team: Annotated[str | None, typer.Option(help="Owning team.")] = None,
    contact: Annotated[str | None, typer.Option(help="E-mail address that reaches the team.")] = None,
    cost_center: Annotated[str | None, typer.Option(help="Cost centre to charge.")] = None,
    description: Annotated[str | None, typer.Option(help="One line: what runs here.")] = None,
    classification: Annotated[str, typer.Option(help="BIO data classification: BBN1, BBN2 or BBN3.")] = "BBN2",
    admin: Groups = None,
    edit: Groups = None,
    view: Groups = None,
    env: Annotated[list[str] | None, typer.Option(metavar="NAME", help="Environment (repeat; default: test and "
                                                     "the first production name).")] = None,
    production: Annotated[list[str] | None, typer.Option(metavar="ENV", help="Mark an environment as production "
                                                            "explicitly (repeat); others follow platform settings.")]
    = None,
    size: Size = None,
    cpu: Cpu = None,
    memory: Memory = None,
    volume: Volumes = None,
    storage_class: StorageClass = None,
    backups_per_day: BackupsPerDay = None,
    retention_days: RetentionDays = None,
    no_backups: NoBackups = False,
    cluster: Cluster = None,
    root: RootOption = Path("."),
) -> None:
    """Write a new, valid, commented tenant file. Prompts for missing values only on a terminal."""
    ws = workspace(root)
    if not re.match(DNS_LABEL, name) or len(name) > 63:
        fail(f"NAME {name!r} is not a DNS label: use lowercase letters, digits and '-', e.g. amt2", code=EXIT_USAGE)
    path = ws.tenant_path(name)
    if path.exists():
        fail(f"{path} already exists: edit it with `tenantctl set`, `add-env` or `add-volume`")
    given = {"team": team, "contact": contact, "cost-center": cost_center}
    prompted = _ask_missing(name, given)
    answers = {flag: str(value) for flag, value in given.items() if value} | (prompted or {})
    if prompted is not None and size is None:
        size = typer.prompt("Size", default=ws.settings.default_preset)  # checked against the presets below
    preset = _preset(ws.settings, size)
    environments = tuple(
        EnvironmentRequest(env_name, preset, cpu, memory, _volumes(volume), backups_per_day, retention_days,
                           production=True if env_name in (production or []) else None,
                           storage_class=storage_class, cluster=cluster)
        for env_name in default_environments(ws.settings, env or []))
    unknown = sorted(set(production or []) - {request.name for request in environments})
    if unknown:
        fail(f"--production {', '.join(unknown)}: not among the environments; add it with --env", code=EXIT_USAGE)
    request = TenantRequest(name, description or f"{answers['team']}: {name}", answers["team"], answers["contact"],
                            answers["cost-center"], classification, environments,
                            {"admin": admin or [], "edit": edit or [], "view": view or []})
    data = tenant_map(request)
    if no_backups:
        kept = drop_optional_backups(data, ws.settings)
        if kept:
            print(f"backups kept for {', '.join(kept)}: {_backups_required_reason(ws.settings)}")
    text = SCHEMA_HEADER + INTRO + dump(yaml_for(""), data)
    problems = check_text(ws, path, text)
    result = EditResult(path, "", text, problems, None, None)
    if not result.ok:
        _refuse(result, list(dict.fromkeys(f"{flag_for(problem.field)}: {problem.message}"
                                           for problem in errors(problems))))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text)
    owners_line = add_tenant_owners(ws, name, answers["team"])
    print(text, end="")
    if owners_line:
        print(f"added to {ws.settings.code_owners.file if ws.settings.code_owners else 'CODEOWNERS'}: {owners_line}")
    print(_cost_line(None, yearly_cost(ws, path, text), ws.settings.pricing.currency))
    _print_notes(problems)
    stdout.print(f"wrote {path}; {NEXT_STEP}", markup=False)


def set_value(
    tenant: Annotated[str, typer.Argument(help="Tenant name.")],
    field_path: Annotated[str, typer.Argument(metavar="FIELD_PATH", help="Field, e.g. environments.prod.cpu or "
                                              "environments.prod.storage[0].size.")],
    value: Annotated[str, typer.Argument(help="New value, read as YAML: 8, 500m, 100Gi, true, [a, b].")],
    root: RootOption = Path("."),
) -> None:
    """Change one field; comments and formatting stay. Nothing is written if the result is invalid."""
    ws = workspace(root)
    try:
        loc, parsed = parse_field_path(field_path), parse_value(value)
    except EditError as exc:
        fail(str(exc), code=EXIT_USAGE)
    _apply(ws, tenant, lambda data: set_field(data, loc, parsed, value))


def add_env(
    tenant: Annotated[str, typer.Argument(help="Tenant name.")],
    environment: Annotated[str, typer.Argument(help="New environment name (a DNS label), e.g. acc.")],
    like: Annotated[str | None, typer.Option(metavar="ENV", help="Copy the sizes of this environment "
                                                "(comments included) instead of a size preset.")] = None,
    size: Size = None,
    cpu: Cpu = None,
    memory: Memory = None,
    volume: Volumes = None,
    storage_class: StorageClass = None,
    backups_per_day: BackupsPerDay = None,
    retention_days: RetentionDays = None,
    no_backups: NoBackups = False,
    production: Annotated[bool | None, typer.Option("--production/--not-production", help="Say explicitly "
                                                       "whether this is production (default: platform settings).")]
    = None,
    cluster: Cluster = None,
    root: RootOption = Path("."),
) -> None:
    """Add an environment (a new namespace) to a tenant."""
    ws = workspace(root)
    if like and (size or cpu or memory or volume):
        fail("--like copies an environment: leave out --size, --cpu, --memory and --volume, or change the copy "
             "afterwards with `tenantctl set`", code=EXIT_USAGE)
    request = EnvironmentRequest(environment, _preset(ws.settings, size), cpu, memory, _volumes(volume),
                                 backups_per_day, retention_days, production=production,
                                 storage_class=storage_class, cluster=cluster)

    def change(data: CommentedMap) -> None:
        environments = data.get("environments")
        if not isinstance(environments, CommentedMap):
            raise EditError("the file has no `environments:` mapping: add one by hand first")
        if environment in environments:
            raise EditError(f"environment {environment!r} already exists: change it with `tenantctl set {tenant} "
                            f"environments.{environment}.cpu ...`")
        environments[environment] = _copied(environments, like, request) if like else environment_map(request)
        if no_backups:
            kept = drop_optional_backups(data, ws.settings)
            if environment in kept:
                print(f"backups kept for {environment}: {_backups_required_reason(ws.settings)}")

    _apply(ws, tenant, change)


def _copied(environments: CommentedMap, like: str, request: EnvironmentRequest) -> CommentedMap:
    """A copy of environment `like`, without what must not be copied (production flag), options applied."""
    source = environments.get(like)
    if not isinstance(source, CommentedMap):
        raise EditError(f"--like {like}: no such environment; there are: {', '.join(map(str, environments))}")
    env = copy.deepcopy(source)
    env.pop("production", None)
    if request.production is not None:
        env.insert(0, "production", request.production)
    if request.cluster:
        env["cluster"] = request.cluster
    if isinstance(env.get("backups"), CommentedMap):
        if request.backups_per_day:
            env["backups"]["per_day"] = request.backups_per_day
        if request.retention_days:
            env["backups"]["retention_days"] = request.retention_days
    if request.storage_class and isinstance(env.get("storage"), CommentedSeq):
        for volume in env["storage"]:
            volume["storage_class"] = request.storage_class
    return env


def add_volume(
    tenant: Annotated[str, typer.Argument(help="Tenant name.")],
    environment: Annotated[str, typer.Argument(help="Environment, e.g. prod.")],
    name: Annotated[str, typer.Argument(help="Volume name (a DNS label).")],
    size: Annotated[str, typer.Argument(help="Size with a unit, e.g. 100Gi.")],
    storage_class: StorageClass = None,
    root: RootOption = Path("."),
) -> None:
    """Add a persistent volume to an environment."""
    ws = workspace(root)

    def change(data: CommentedMap) -> None:
        environments = data.get("environments")
        env = environments.get(environment) if isinstance(environments, CommentedMap) else None
        if not isinstance(env, CommentedMap):
            known = ", ".join(map(str, environments)) if isinstance(environments, CommentedMap) else "none"
            raise EditError(f"tenant {tenant!r} has no environment {environment!r} (it has: {known}); add it with "
                            f"`tenantctl add-env {tenant} {environment}`")
        volume = CommentedMap(name=name, size=size)
        if storage_class:
            volume["storage_class"] = storage_class
        storage = env.get("storage")
        if storage is None:
            env["storage"] = CommentedSeq([volume])
        elif isinstance(storage, CommentedSeq):
            storage.append(volume)
        else:
            raise EditError(f"environments.{environment}.storage is not a list: fix it by hand first")

    _apply(ws, tenant, change)


def register(app: typer.Typer) -> None:
    app.command()(new)
    app.command("set")(set_value)
    app.command("add-env")(add_env)
    app.command("add-volume")(add_volume)
