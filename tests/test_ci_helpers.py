"""The Python the workflows call: the single PR comment, affected stacks, lead time, the kubeconfig file."""

from __future__ import annotations

import datetime
import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantctl.ci.comment import check_head, post_or_update
from tenantctl.ci.github import GitHub
from tenantctl.ci.lead_time import human, lead_time, markdown, merged_pull_request
from tenantctl.cli import app
from tenantctl.plan_report import COMMENT_MARKER

runner = CliRunner()


class FakeGitHub:
    """Records requests and answers from a table: (method, path) -> response."""

    def __init__(self, answers: dict) -> None:
        self.answers = answers
        self.requests: list[tuple[str, str, object]] = []

    def __call__(self, method: str, path: str, body: object) -> object:
        self.requests.append((method, path, body))
        return self.answers.get((method, path))


def comments_path(page: int) -> str:
    return f"/repos/o/r/issues/7/comments?per_page=100&page={page}"


def test_first_comment_is_created_with_the_marker() -> None:
    fake = FakeGitHub({("GET", comments_path(1)): []})
    assert post_or_update(GitHub("t", send=fake), "o/r", 7, "## plan") == "created"
    method, path, body = fake.requests[-1]
    assert (method, path) == ("POST", "/repos/o/r/issues/7/comments")
    assert body == {"body": f"{COMMENT_MARKER}\n## plan"}


def test_existing_comment_is_updated_even_on_a_later_page() -> None:
    page_one = [{"id": n, "body": "someone else"} for n in range(100)]
    fake = FakeGitHub({("GET", comments_path(1)): page_one,
                       ("GET", comments_path(2)): [{"id": 555, "body": f"{COMMENT_MARKER}\nold plan"}]})
    assert post_or_update(GitHub("t", send=fake), "o/r", 7, f"{COMMENT_MARKER}\nnew plan") == "updated"
    assert fake.requests[-1] == ("PATCH", "/repos/o/r/issues/comments/555", {"body": f"{COMMENT_MARKER}\nnew plan"})
    assert not any(method == "POST" for method, _, _ in fake.requests)


def test_oversized_comment_is_refused() -> None:
    with pytest.raises(ValueError, match="GitHub allows 65536"):
        post_or_update(GitHub("t", send=FakeGitHub({})), "o/r", 7, "x" * 70_000)


def test_comment_only_on_the_planned_commit() -> None:
    fake = FakeGitHub({("GET", "/repos/o/r/pulls/7"): {"head": {"sha": "abc"}}})
    check_head(GitHub("t", send=fake), "o/r", 7, "abc")
    with pytest.raises(ValueError, match="not commenting"):
        check_head(GitHub("t", send=fake), "o/r", 7, "def")


def test_post_comment_command_needs_a_token(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    body = tmp_path / "plan.md"
    body.write_text("plan")
    result = runner.invoke(app, ["ci", "post-comment", "--repo", "o/r", "--pr", "7", "--body-file", str(body)])
    assert result.exit_code == 2 and "GITHUB_TOKEN is not set" in result.stderr


def test_lead_time_from_pull_request_to_apply() -> None:
    pull = {"number": 12, "title": "amt: prod to 8 cores", "created_at": "2026-11-20T09:00:00Z",
            "merged_at": "2026-11-20T09:40:00Z"}
    fake = FakeGitHub({("GET", "/repos/o/r/commits/abc/pulls"): [{"number": 3, "merged_at": None}, pull]})
    found = merged_pull_request(GitHub("t", send=fake), "o/r", "abc")
    applied = datetime.datetime(2026, 11, 20, 9, 52, 30, tzinfo=datetime.timezone.utc)
    item = lead_time(found, applied)
    assert (human(item.review), human(item.apply), human(item.total)) == ("40m 0s", "12m 30s", "52m 30s")
    text = markdown(item, "abc")
    assert "| 40m 0s | 12m 30s | **52m 30s** |" in text and "#12 amt: prod to 8 cores" in text
    assert "not merged through a pull request" in markdown(None, "abcdef1234567890")
    assert human(datetime.timedelta(days=91, hours=3)) == "91d 3h 0m"


@pytest.fixture
def repo(git_repo: Path) -> Path:
    return git_repo


def stacks(repo: Path) -> list[dict]:
    result = runner.invoke(app, ["ci", "affected-stacks", "--base", "main", "--root", str(repo)])
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_no_tenant_change_affects_no_stack(repo: Path) -> None:
    (repo / "tenants/amt.yaml").write_text((repo / "tenants/amt.yaml").read_text() + "# a comment only\n")
    assert stacks(repo) == []


def test_a_tenant_change_affects_its_cluster(repo: Path) -> None:
    path = repo / "tenants/amt.yaml"
    path.write_text(path.read_text().replace("  prod:\n    cpu: 4", "  prod:\n    cpu: 8"))
    assert stacks(repo) == [{"stack": "cluster-a"}]


def test_a_settings_change_affects_every_stack(repo: Path, monkeypatch) -> None:
    path = repo / "platform/settings.yaml"
    path.write_text(path.read_text().replace("core_month: 12.00", "core_month: 13.00"))
    assert stacks(repo) == [{"stack": "cluster-a"}]


def test_affected_stacks_for_a_new_branch_and_github_output(repo: Path, tmp_path: Path, monkeypatch) -> None:
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    result = runner.invoke(app, ["ci", "affected-stacks", "--base", "0" * 40, "--github-output", "--root", str(repo)])
    assert result.exit_code == 0
    assert output.read_text() == 'stacks=[{"stack": "cluster-a"}]\n'


def test_write_kubeconfig_is_private_and_never_printed(tmp_path: Path, monkeypatch) -> None:
    env_file = tmp_path / "github_env"
    monkeypatch.setenv("KUBECONFIG_CONTENT", "apiVersion: v1\nkind: Config\n# secret-token-xyz\n")
    monkeypatch.setenv("GITHUB_ENV", str(env_file))
    target = tmp_path / "kube" / "config"
    result = runner.invoke(app, ["ci", "write-kubeconfig", str(target)])
    assert result.exit_code == 0
    assert "secret-token-xyz" not in result.stdout + result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "secret-token-xyz" in target.read_text()
    assert env_file.read_text() == f"KUBECONFIG={target}\n"
    monkeypatch.setenv("KUBECONFIG_CONTENT", "")
    assert runner.invoke(app, ["ci", "write-kubeconfig", str(target)]).exit_code == 2
