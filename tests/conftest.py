"""Shared fixtures: the repository's own settings and tenants, and a scratch copy of the repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tenantctl.settings import Settings
from tenantctl.workspace import Workspace, open_workspace

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_workspace() -> Workspace:
    return open_workspace(REPO)


@pytest.fixture(scope="session")
def settings(repo_workspace: Workspace) -> Settings:
    return repo_workspace.settings


@pytest.fixture
def scratch_repo(tmp_path: Path) -> Path:
    """A copy of tenants/, platform/ and schema/ to change freely."""
    for folder in ("tenants", "platform", "schema"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def git_repo(scratch_repo: Path) -> Path:
    """The scratch copy committed on `main` in its own git repository (the PR base)."""
    git(scratch_repo, "init", "-q", "-b", "main")
    git(scratch_repo, "add", "-A")
    git(scratch_repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return scratch_repo
