"""Read tenants and settings as they were at a git revision, without checking it out."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tenantctl.checks.loading import Fleet, SettingsError, load_fleet, settings_from_document
from tenantctl.checks.workspace import TENANTS_DIR
from tenantctl.model.settings import SETTINGS_FILE, Settings
from tenantctl.source.errors import UsageError
from tenantctl.source.yaml import YamlFileError, parse_bytes


class RevisionError(UsageError):
    """The revision cannot be read (unknown ref, not a git repository)."""


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, check=True)
    except FileNotFoundError:
        raise RevisionError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        raise RevisionError(exc.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed") from None
    return result.stdout


def read_files(root: Path, ref: str, folder: str) -> dict[str, bytes]:
    """All files under `folder` at `ref`, by path; one `git cat-file --batch` for all of them."""
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    listing = _git(root, "ls-tree", "-r", "-z", "--name-only", ref, "--", f"{folder}/").split(b"\0")
    paths = [path.decode() for path in listing if path]
    if not paths:
        return {}
    batch = _git(root, "cat-file", "--batch", stdin="".join(f"{ref}:{path}\n" for path in paths).encode())
    files: dict[str, bytes] = {}
    offset = 0
    for path in paths:
        header_end = batch.index(b"\n", offset)
        size = int(batch[offset:header_end].split()[2])
        files[path] = batch[header_end + 1: header_end + 1 + size]
        offset = header_end + 1 + size + 1
    return files


def revision_settings(root: Path, ref: str, fallback: Settings) -> Settings:
    """Platform settings at `ref`; the current ones if the revision had none or they were invalid."""
    raw = read_files(root, ref, str(Path(SETTINGS_FILE).parent)).get(SETTINGS_FILE)
    if raw is None:
        return fallback
    try:
        return settings_from_document(parse_bytes(raw, f"{ref}:{SETTINGS_FILE}"))
    except (YamlFileError, SettingsError):
        return fallback


def load_revision(root: Path, ref: str, fallback: Settings) -> tuple[Settings, Fleet]:
    """The settings and tenants at `ref`, checked as `tenantctl validate` would have checked them."""
    settings = revision_settings(root, ref, fallback)
    files = read_files(root, ref, TENANTS_DIR)
    tenant_files = sorted((path, raw) for path, raw in files.items() if path.endswith((".yaml", ".yml")))
    return settings, load_fleet(tenant_files, settings)
