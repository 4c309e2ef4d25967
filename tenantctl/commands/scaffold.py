"""Self-service: `tenantctl new`, `set`, `add-env`, `add-volume` — one command instead of 41 e-mails."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Callable, NoReturn, Optional

import typer
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tenantctl.cli_support import EXIT_USAGE, RootOption, fail, stdout, workspace
from tenantctl.cost import money
from tenantctl.editing import (
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
from tenantctl.scaffold import (
    SCHEMA_HEADER,
    EnvironmentRequest,
    TenantRequest,
    default_environments,
    environment_map,
    tenant_map,
)
from tenantctl.settings import Preset, Settings
from tenantctl.workspace import Workspace

Groups = Annotated[Optional[list[str]], typer.Option(help="Identity-provider group (repeat for more).")]


def _preset(settings: Settings, size: str | None) -> Preset:
    name = size or settings.default_preset
    if name not in settings.presets:
        fail(f"no size {name!r}: use one of {', '.join(settings.presets)}", code=EXIT_USAGE)
    return settings.presets[name]


def _volumes(specs: list[str] | None) -> tuple[tuple[str, str], ...] | None:
    if not specs:
        return None
    volumes = []
    for spec in specs:
        name, _, size = spec.partition("=")
        if not name or not size:
            fail(f"--volume {spec!r}: write NAME=SIZE, e.g. --volume data=100Gi", code=EXIT_USAGE)
        volumes.append((name, size))
    return tuple(volumes)


def _report_problems(result: EditResult) -> NoReturn:
    for problem in result.problems:
        stdout.print(problem.text(), markup=False)
    fail(f"nothing written: the result would be invalid; {result.path} is unchanged")


def _report(result: EditResult, currency: str, verb: str) -> None:
    print(result.diff(), end="")
    if result.cost_after is not None:
        before = result.cost_before if result.cost_before is not None else 0
        delta = result.cost_after - before
        print(f"cost per year: {money(before, currency)} → {money(result.cost_after, currency)} "
              f"({'+' if delta >= 0 else '-'}{money(abs(delta), currency)})")
    for problem in result.problems:
        print(problem.text())
    stdout.print(f"{verb} {result.path}; next: `tenantctl plan --base main`, then open a pull request", markup=False)


def _apply(ws: Workspace, tenant: str, change: Callable[[CommentedMap], None], verb: str) -> None:
    try:
        result = edit_tenant(ws, tenant, change)
    except EditError as exc:
        fail(str(exc))
    if not result.ok:
        _report_problems(result)
    if result.after == result.before:
        stdout.print(f"no change: {result.path} already says that", markup=False)
        return
    write_atomically(result.path, result.after)
    _report(result, ws.settings.pricing.currency, verb)


def interactive() -> bool:
    """Prompt only when a person is at a terminal; CI and pipes get an error listing the flags instead."""
    return sys.stdin.isatty()


def new(
    name: Annotated[str, typer.Argument(help="Tenant name (a DNS label); the file becomes tenants/NAME.yaml.")],
    team: Annotated[Optional[str], typer.Option(help="Owning team.")] = None,
    contact: Annotated[Optional[str], typer.Option(help="E-mail address that reaches the team.")] = None,
    cost_center: Annotated[Optional[str], typer.Option(help="Cost centre to charge.")] = None,
    description: Annotated[Optional[str], typer.Option(help="One line: what runs here.")] = None,
    classification: Annotated[str, typer.Option(help="BIO data classification: BBN1, BBN2 or BBN3.")] = "BBN2",
    admin: Groups = None,
    edit: Groups = None,
    view: Groups = None,
    env: Annotated[Optional[list[str]], typer.Option(help="Environment (repeat; default: test and prod).")] = None,
    size: Annotated[Optional[str], typer.Option(help="Size preset from platform settings (small, medium, ...).")]
    = None,
    cpu: Annotated[Optional[str], typer.Option(help="Cores per environment (overrides the size).")] = None,
    memory: Annotated[Optional[str], typer.Option(help="Memory per environment, e.g. 4Gi.")] = None,
    volume: Annotated[Optional[list[str]], typer.Option(help="Volume NAME=SIZE (repeat; default: the size's).")]
    = None,
    backups_per_day: Annotated[Optional[int], typer.Option(help="Backups per day (1, 2, 3, 4, 6, 8, 12, 24).")]
    = None,
    retention_days: Annotated[Optional[int], typer.Option(help="Days each backup is kept.")] = None,
    root: RootOption = Path("."),
) -> None:
    """Write a new, valid, commented tenant file. Prompts for missing values on a terminal."""
    ws = workspace(root)
    path = ws.tenant_path(name)
    if path.exists():
        fail(f"{path} already exists: edit it with `tenantctl set`, `add-env` or `add-volume`")
    values = {"team": team, "contact": contact, "cost-center": cost_center}
    missing = [flag for flag, value in values.items() if not value]
    if missing and interactive():
        for flag in missing:
            values[flag] = typer.prompt(flag.replace("-", " ").capitalize())
    elif missing:
        fail("missing " + ", ".join(f"--{flag}" for flag in missing) + f"; e.g. tenantctl new {name} --team "
             "'Team Name' --contact team@example.org --cost-center CC-0001 --size medium", code=EXIT_USAGE)
    preset = _preset(ws.settings, size)
    environments = tuple(EnvironmentRequest(env_name, preset, cpu, memory, _volumes(volume), backups_per_day,
                                            retention_days) for env_name in default_environments(ws.settings,
                                                                                                 env or []))
    request = TenantRequest(name, description or f"{values['team']}: {name}", str(values["team"]),
                            str(values["contact"]), str(values["cost-center"]), classification, environments,
                            {"admin": admin or [], "edit": edit or [], "view": view or []})
    yaml = yaml_for("")
    text = SCHEMA_HEADER + dump(yaml, tenant_map(request))
    problems = check_text(ws, path, text)
    if any(problem.severity == "error" for problem in problems):
        _report_problems(EditResult(path, "", text, problems))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text)
    _report(EditResult(path, "", text, problems, None, yearly_cost(ws, path, text)), ws.settings.pricing.currency,
            "wrote")


def set_value(
    tenant: Annotated[str, typer.Argument(help="Tenant name.")],
    field_path: Annotated[str, typer.Argument(help="Field, e.g. environments.prod.cpu or "
                                              "environments.prod.storage[0].size.")],
    value: Annotated[str, typer.Argument(help="New value, read as YAML (8, 500m, 100Gi, [a, b]).")],
    root: RootOption = Path("."),
) -> None:
    """Change one field; comments and formatting stay. Nothing is written if the result is invalid."""
    ws = workspace(root)
    try:
        loc, parsed = parse_field_path(field_path), parse_value(value)
    except EditError as exc:
        fail(str(exc), code=EXIT_USAGE)
    _apply(ws, tenant, lambda data: set_field(data, loc, parsed), "changed")


def add_env(
    tenant: Annotated[str, typer.Argument(help="Tenant name.")],
    environment: Annotated[str, typer.Argument(help="New environment name (a DNS label), e.g. acc.")],
    size: Annotated[Optional[str], typer.Option(help="Size preset from platform settings.")] = None,
    cpu: Annotated[Optional[str], typer.Option(help="Cores (overrides the size).")] = None,
    memory: Annotated[Optional[str], typer.Option(help="Memory, e.g. 4Gi.")] = None,
    volume: Annotated[Optional[list[str]], typer.Option(help="Volume NAME=SIZE (repeat).")] = None,
    backups_per_day: Annotated[Optional[int], typer.Option(help="Backups per day.")] = None,
    retention_days: Annotated[Optional[int], typer.Option(help="Days each backup is kept.")] = None,
    root: RootOption = Path("."),
) -> None:
    """Add an environment (a new namespace) to a tenant."""
    ws = workspace(root)
    request = EnvironmentRequest(environment, _preset(ws.settings, size), cpu, memory, _volumes(volume),
                                 backups_per_day, retention_days)

    def change(data: CommentedMap) -> None:
        environments = data.get("environments")
        if not isinstance(environments, CommentedMap):
            raise EditError("the file has no `environments:` mapping")
        if environment in environments:
            raise EditError(f"environment {environment!r} already exists: change it with `tenantctl set`")
        environments[environment] = environment_map(request)

    _apply(ws, tenant, change, "changed")


def add_volume(
    tenant: Annotated[str, typer.Argument(help="Tenant name.")],
    environment: Annotated[str, typer.Argument(help="Environment, e.g. prod.")],
    name: Annotated[str, typer.Argument(help="Volume name (a DNS label).")],
    size: Annotated[str, typer.Argument(help="Size with a unit, e.g. 100Gi.")],
    storage_class: Annotated[Optional[str], typer.Option(help="Storage class (default: the platform's).")] = None,
    root: RootOption = Path("."),
) -> None:
    """Add a persistent volume to an environment."""
    ws = workspace(root)

    def change(data: CommentedMap) -> None:
        env = (data.get("environments") or {}).get(environment)
        if not isinstance(env, CommentedMap):
            raise EditError(f"tenant {tenant!r} has no environment {environment!r}: add it with `tenantctl add-env`")
        volume = CommentedMap(name=name, size=size)
        if storage_class:
            volume["storage_class"] = storage_class
        if "storage" not in env:
            env["storage"] = CommentedSeq()
        env["storage"].append(volume)

    _apply(ws, tenant, change, "changed")


def register(app: typer.Typer) -> None:
    app.command()(new)
    app.command("set")(set_value)
    app.command("add-env")(add_env)
    app.command("add-volume")(add_volume)
