"""One side of a change (base or head): settings and tenants, read from git objects or from the working tree.

Both sides go through `tenantctl.source.tree.select_tenant_files` (one rule set); a file refused or unreadable
on a side is an error of that side, never a missing tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tenantctl.checks.loading import Fleet, SettingsError, load_fleet, load_settings, settings_from_document
from tenantctl.model.settings import Settings
from tenantctl.source.problems import Problem
from tenantctl.source.tree import (
    SETTINGS_FILE,
    RevisionError,
    TenantFiles,
    disk_tenant_files,
    git_file,
    git_tenant_files,
    resolve_commit,
)
from tenantctl.source.yaml import YamlFileError, parse_bytes

__all__ = ["RevisionError", "Side", "load_revision", "read_side"]


@dataclass
class Side:
    """Settings and tenants of one side. `commit` is None for the working tree."""

    label: str
    commit: str | None
    settings: Settings
    fleet: Fleet
    files: TenantFiles
    settings_note: str = ""  # e.g. "no settings file at this revision: the head's are used"
    problems: list[Problem] = field(default_factory=list)  # settings problems of this side

    @property
    def errors(self) -> list[Problem]:
        return sorted([p for p in self.fleet.problems if p.severity == "error"] + self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.files.problems if p.severity == "warning"]


def _settings_at(root: Path, commit: str | None) -> Settings | None:
    if commit is None:
        path = root / SETTINGS_FILE
        return load_settings(path) if path.exists() or path.is_symlink() else None
    raw = git_file(root, commit, SETTINGS_FILE)
    if raw is None:
        return None
    try:
        return settings_from_document(parse_bytes(raw, f"{commit[:12]}:{SETTINGS_FILE}"))
    except YamlFileError as exc:
        raise SettingsError([exc.problem]) from None


def read_side(root: Path, rev: str | None, fallback: Settings | None = None) -> Side:
    """Read one side: `rev` from git objects (no checkout), or the working tree when `rev` is None.

    Raises RevisionError for an unknown revision and SettingsError for invalid settings (both loud)."""
    commit = resolve_commit(root, rev) if rev is not None else None
    settings, note = _settings_at(root, commit), ""
    if settings is None:
        if fallback is None:
            raise RevisionError(f"no {SETTINGS_FILE} at {rev or 'the working tree'}")
        settings, note = fallback, f"no {SETTINGS_FILE} at this revision: the other side's settings are used"
    files = git_tenant_files(root, commit) if commit is not None else disk_tenant_files(root)
    fleet = load_fleet(files.files, settings)
    fleet.problems = sorted(fleet.problems + files.problems)
    return Side(rev or "working tree", commit, settings, fleet, files, note)


def load_revision(root: Path, ref: str, fallback: Settings) -> tuple[Settings, Fleet]:
    """The settings and tenants at `ref` (kept for callers that need only these two)."""
    side = read_side(root, ref, fallback)
    return side.settings, side.fleet
