"""The CI helpers of the trusted review workflow: stage a PR's data into trusted code, find the PR by its head
commit, report a failed preview."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tenantctl.ci.comment import find_pull_request
from tenantctl.ci.github import GitHub
from tenantctl.ci.preview import failing_step, preview_marker
from tenantctl.cli.app import app
from tests.conftest import git
from tests.test_ci_helpers import api  # noqa: F401 - the fake GitHub API fixture

runner = CliRunner()


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", message)


@pytest.fixture
def pr_repo(git_repo: Path) -> Path:
    """`main` is the trusted checkout; the branch `pr` deletes sandbox, adds a tenant, edits code and settings."""
    git(git_repo, "checkout", "-q", "-b", "pr")
    (git_repo / "tenants/sandbox.yaml").unlink()
    (git_repo / "tenants/lab.yaml").write_text((git_repo / "tenants/amt.yaml").read_text().replace("amt", "lab"))
    (git_repo / "evil.py").write_text("raise SystemExit('PR code ran')\n")
    settings = git_repo / "platform/settings.yaml"
    settings.write_text(settings.read_text().replace("core_month: 12.00", "core_month: 13.00"))
    commit(git_repo, "PR")
    git(git_repo, "checkout", "-q", "main")
    return git_repo


def test_stage_data_writes_only_the_pull_requests_data(pr_repo: Path) -> None:
    result = runner.invoke(app, ["ci", "stage-data", "--rev", "pr", "--root", str(pr_repo)])
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in (pr_repo / "tenants").iterdir()) == ["amt.yaml", "lab.yaml",
                                                                              "zaakregister.yaml"]
    assert "core_month: 13.00" in (pr_repo / "platform/settings.yaml").read_text()
    assert not (pr_repo / "evil.py").exists(), "nothing but data comes from the pull request"


def test_stage_data_refuses_a_pull_request_with_refused_files(pr_repo: Path) -> None:
    git(pr_repo, "checkout", "-q", "pr")
    (pr_repo / "tenants/link.yaml").symlink_to("/etc/passwd")
    commit(pr_repo, "link")
    git(pr_repo, "checkout", "-q", "main")
    before = sorted(path.name for path in (pr_repo / "tenants").iterdir())
    result = runner.invoke(app, ["ci", "stage-data", "--rev", "pr", "--root", str(pr_repo)])
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert sorted(path.name for path in (pr_repo / "tenants").iterdir()) == before
    assert runner.invoke(app, ["ci", "stage-data", "--rev", "--help", "--root", str(pr_repo)]).exit_code == 2


def test_find_pull_request_matches_the_head_commit_only() -> None:
    pulls = [{"number": 7, "head": {"sha": "abc"}}, {"number": 8, "head": {"sha": "def"}}]
    seen: list[str] = []

    def send(method: str, path: str, body: Any) -> Any:
        seen.append(path)
        return pulls

    github = GitHub("t", send=send)
    assert find_pull_request(github, "o/r", head_owner="fork", head_branch="feature", head_sha="abc") == 7
    assert seen == ["/repos/o/r/pulls?state=open&head=fork%3Afeature&per_page=100"]
    with pytest.raises(ValueError, match="no single open pull request"):
        find_pull_request(github, "o/r", head_owner="fork", head_branch="feature", head_sha="zzz")


def test_a_failed_preview_names_the_step_and_comments(api: list, monkeypatch) -> None:  # noqa: F811
    steps = {"install": {"outcome": "success"}, "stage": {"outcome": "success"},
             "kubeconfig": {"outcome": "success"}, "preview": {"outcome": "failure"}}
    assert failing_step(json.dumps(steps)) == "preview"
    assert failing_step("not json") is None
    monkeypatch.setenv("STEPS", json.dumps(steps))
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_RUN_ID", "42")
    result = runner.invoke(app, ["ci", "preview-failed", "--stack", "cluster-a", "--repo", "o/r", "--pr", "7",
                                 "--head-sha", "abc"])
    assert result.exit_code == 0, result.stderr
    assert "### ❌ Preview failed: stack `cluster-a`" in result.stdout
    assert "`pulumi preview (with the policy pack)`" in result.stdout
    assert "(https://github.com/o/r/actions/runs/42)" in result.stdout
    method, path, _, sent = api[-1]
    assert (method, path) == ("POST", "/repos/o/r/issues/7/comments")
    assert sent["body"].startswith(preview_marker("cluster-a") + "\n")


def test_stage_data_never_follows_a_symlinked_target(pr_repo: Path, tmp_path: Path) -> None:
    """A symlink planted in the trusted checkout's tenants/ is replaced, never written through."""
    outside = tmp_path / "outside.yaml"
    outside.write_text("keep\n")
    os.symlink(outside, pr_repo / "tenants/lab.yaml")
    result = runner.invoke(app, ["ci", "stage-data", "--rev", "pr", "--root", str(pr_repo)])
    assert result.exit_code == 0, result.stderr
    assert outside.read_text() == "keep\n" and not (pr_repo / "tenants/lab.yaml").is_symlink()
