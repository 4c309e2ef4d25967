"""Load tenant files and check them: the model, the platform's limits, and rules across files.

Every problem comes back as a `Problem` with file, line, column and field; all are found in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from tenantctl.checks.messages import model_problems
from tenantctl.model.loaded import LoadedTenant
from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Environment, Tenant
from tenantctl.rules.fleet import fleet_problems
from tenantctl.rules.limits import environment_limit_problems, tenant_problems
from tenantctl.source.errors import UserError
from tenantctl.source.problems import Problem, errors
from tenantctl.source.yaml import YamlDocument, YamlFileError, parse_bytes, read_bounded, read_document

MAX_PROBLEMS_PER_FILE = 50  # then one line says how many more there are (README: "Bounds on input")


@dataclass
class Fleet:
    """All tenants read from one tree (the working tree or a git revision) and what is wrong with them."""

    tenants: list[LoadedTenant] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not errors(self.problems)

    def by_name(self) -> dict[str, Tenant]:
        return {loaded.tenant.name: loaded.tenant for loaded in self.tenants}


# --- reading files -------------------------------------------------------------------------------------------

class SettingsError(UserError):
    """The platform settings file is invalid; `problems` says where."""

    def __init__(self, problems: list[Problem]) -> None:
        problems = capped(problems)
        super().__init__("\n".join(problem.text() for problem in problems))
        self.problems = problems

    def lines(self) -> list[str]:
        return [problem.text() for problem in self.problems]


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


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS_PER_FILE) -> list[Problem]:
    """At most `limit` problems of one file (the first ones, in file order), then one line saying how many more."""
    problems = sorted(problems)
    if len(problems) <= limit:
        return problems
    first_hidden = problems[limit]
    more = Problem(first_hidden.path, first_hidden.line, first_hidden.column, "",
                   f"… {len(problems) - limit} more problems not shown: fix the ones above and run again")
    return [*problems[:limit], more]


def load_tenant(raw: bytes, path: str, settings: Settings) -> tuple[LoadedTenant | None, list[Problem]]:
    """Parse and check one tenant file on its own (cross-file rules come later); at most
    MAX_PROBLEMS_PER_FILE problems are reported."""
    try:
        document = parse_bytes(raw, path)
    except YamlFileError as exc:
        return None, [exc.problem]
    try:
        tenant = Tenant.model_validate(document.data)
    except ValidationError as exc:
        return None, capped(model_problems(document, exc, Tenant) + partial_problems(document, settings))
    loaded = LoadedTenant(path, document, tenant)
    return loaded, capped(list(tenant_problems(loaded, settings)))


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
    """Expand folders to their `*.yaml`/`*.yml` entries, sorted (a link or FIFO among them is refused when read)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
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
            contents.append((str(path), read_bounded(path)))
        except YamlFileError as exc:
            problems.append(exc.problem)
    fleet = load_fleet(contents, settings)
    fleet.problems = sorted(problems + fleet.problems)
    return fleet
