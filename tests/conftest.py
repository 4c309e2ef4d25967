"""Shared fixtures: the repository's own settings and tenants, and a scratch copy of the repository."""

from __future__ import annotations

import shutil
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
