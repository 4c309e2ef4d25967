"""Shared fixtures: a fixture fleet (tests/fixtures/repo, never the live tenants/ folder) and scratch copies of it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tenantctl.checks.workspace import Workspace, open_workspace
from tenantctl.model.settings import Settings

REPO = Path(__file__).resolve().parent.parent
# The fixture repository: today's example tenants, settings and CODEOWNERS, frozen for the tests' expectations.
FIXTURE = REPO / "tests/fixtures/repo"


@pytest.fixture(autouse=True)
def _in_the_fixture_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run without --root see the fixture repository, never the live tenants/ folder."""
    monkeypatch.chdir(FIXTURE)


@pytest.fixture(autouse=True)
def _own_plan_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own plan summary cache (never ~/.cache/tenantctl)."""
    monkeypatch.setenv("TENANTCTL_CACHE_DIR", str(tmp_path_factory.mktemp("plan-cache")))


@pytest.fixture(scope="session")
def repo_workspace() -> Workspace:
    return open_workspace(FIXTURE)


@pytest.fixture(scope="session")
def settings(repo_workspace: Workspace) -> Settings:
    return repo_workspace.settings


@pytest.fixture
def scratch_repo(tmp_path: Path) -> Path:
    """A copy of the fixture repository (tenants/, platform/, schema/, .github/CODEOWNERS) to change freely."""
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
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
