"""The Python the workflows call: the single PR comment, affected stacks, lead time, the kubeconfig file."""

from __future__ import annotations

import datetime
import http.server
import json
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from tenantctl.ci.comment import check_head, post_or_update
from tenantctl.ci.github import GitHub
from tenantctl.ci.lead_time import human, lead_time, markdown, merged_pull_request
from tenantctl.cli.app import app
from tenantctl.review.plan_report import COMMENT_MARKER
from tests.conftest import git

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
    page_one = [{"id": n, "body": "someone else", "user": {"login": "octocat"}} for n in range(100)]
    fake = FakeGitHub({("GET", comments_path(1)): page_one,
                       ("GET", comments_path(2)): [{"id": 555, "body": f"{COMMENT_MARKER}\nold plan",
                                                    "user": {"login": "github-actions[bot]"}}]})
    assert post_or_update(GitHub("t", send=fake), "o/r", 7, f"{COMMENT_MARKER}\nnew plan") == "updated"
    assert fake.requests[-1] == ("PATCH", "/repos/o/r/issues/comments/555", {"body": f"{COMMENT_MARKER}\nnew plan"})
    assert not any(method == "POST" for method, _, _ in fake.requests)


def test_a_users_comment_with_the_marker_is_left_alone() -> None:
    quoted = {"id": 9, "body": f"> {COMMENT_MARKER} why is this here?", "user": {"login": "octocat"}}
    fake = FakeGitHub({("GET", comments_path(1)): [quoted]})
    assert post_or_update(GitHub("t", send=fake), "o/r", 7, "## plan") == "created"
    assert not any(method == "PATCH" for method, _, _ in fake.requests)


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
    applied = datetime.datetime(2026, 11, 20, 9, 52, 30, tzinfo=datetime.UTC)
    item = lead_time(found, applied)
    assert (human(item.review), human(item.apply), human(item.total)) == ("40m 0s", "12m 30s", "52m 30s")
    text = markdown(item, "abc")
    assert "| 40m 0s | 12m 30s | **52m 30s** |" in text and "#12 amt: prod to 8 cores" in text
    assert "not merged through a pull request" in markdown(None, "abcdef1234567890")
    assert human(datetime.timedelta(days=91, hours=3)) == "91d 3h 0m"


TWO_CLUSTERS = """clusters:
  - name: cluster-a
    stack: cluster-a
    context: cluster-a
  - name: cluster-b
    stack: cluster-b
    context: cluster-b
"""


@pytest.fixture
def repo(git_repo: Path) -> Path:
    """The scratch repository with two clusters; sandbox runs on cluster-b. Committed as the base (`main`)."""
    settings = git_repo / "platform/settings.yaml"
    text = settings.read_text()
    settings.write_text(TWO_CLUSTERS + text[text.index("default_cluster:"):])
    sandbox = git_repo / "tenants/sandbox.yaml"
    sandbox.write_text(sandbox.read_text().replace("  dev:\n", "  dev:\n    cluster: cluster-b\n"))
    for stack in ("cluster-a", "cluster-b"):
        (git_repo / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "two clusters")
    return git_repo


def stacks(repo: Path) -> list[str]:
    result = runner.invoke(app, ["ci", "affected-stacks", "--base", "main", "--root", str(repo)])
    assert result.exit_code == 0, result.stdout + result.stderr
    return [item["stack"] for item in json.loads(result.stdout)]


def test_no_tenant_change_affects_no_stack(repo: Path) -> None:
    (repo / "tenants/amt.yaml").write_text((repo / "tenants/amt.yaml").read_text() + "# a comment only\n")
    assert stacks(repo) == []


def test_a_tenant_change_affects_only_its_cluster(repo: Path) -> None:
    path = repo / "tenants/amt.yaml"
    original = path.read_text()
    path.write_text(original.replace("  prod:\n    cpu: 4", "  prod:\n    cpu: 8"))
    assert stacks(repo) == ["cluster-a"]
    sandbox = repo / "tenants/sandbox.yaml"
    sandbox.write_text(sandbox.read_text().replace("memory: 1Gi", "memory: 2Gi"))
    assert stacks(repo) == ["cluster-a", "cluster-b"]
    path.write_text(original)
    assert stacks(repo) == ["cluster-b"]


def test_a_new_tenant_affects_its_cluster(repo: Path) -> None:
    sandbox = (repo / "tenants/sandbox.yaml").read_text()
    (repo / "tenants/lab.yaml").write_text(sandbox.replace("name: sandbox", "name: lab"))
    assert stacks(repo) == ["cluster-b"]


@pytest.mark.parametrize("path", ["platform/settings.yaml", "components/program.py", "policies/__main__.py",
                                  "__main__.py", "Pulumi.yaml"])
def test_a_program_or_settings_change_affects_every_stack(repo: Path, path: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text((target.read_text() if target.exists() else "") + "# changed\n")
    assert stacks(repo) == ["cluster-a", "cluster-b"]


def test_a_stack_file_change_affects_every_stack(repo: Path) -> None:
    """Pulumi*.yaml is the Pulumi project: issue 12 counts any change there as a platform change."""
    (repo / "Pulumi.cluster-b.yaml").write_text("config:\n  kubernetes:enableServerSideApply: true\n")
    assert stacks(repo) == ["cluster-a", "cluster-b"]


def test_an_unknown_base_is_a_usage_error(repo: Path) -> None:
    result = runner.invoke(app, ["ci", "affected-stacks", "--base", "no-such-ref", "--root", str(repo)])
    assert result.exit_code == 2 and "cannot compare with 'no-such-ref'" in result.stderr


def test_affected_stacks_for_a_new_branch_and_github_output(repo: Path, tmp_path: Path, monkeypatch) -> None:
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    result = runner.invoke(app, ["ci", "affected-stacks", "--base", "0" * 40, "--github-output", "--root", str(repo)])
    assert result.exit_code == 0
    assert output.read_text() == 'stacks=[{"stack": "cluster-a"}, {"stack": "cluster-b"}]\n'


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


def test_drift_summary_links_the_run_and_names_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_RUN_ID", "42")
    result = runner.invoke(app, ["ci", "drift-summary", "--stack", "cluster-b"])
    assert result.exit_code == 0
    assert result.stdout.startswith("### Drift check failed: stack `cluster-b`")
    assert "(https://github.com/o/r/actions/runs/42)" in result.stdout
    assert "`cluster-b-preview` environment" in result.stdout
    assert "approve it in the `cluster-b` environment" in result.stdout
    monkeypatch.delenv("GITHUB_RUN_ID")
    assert "actions/runs" not in runner.invoke(app, ["ci", "drift-summary", "--stack", "x"]).stdout


class FakeApi(http.server.BaseHTTPRequestHandler):
    """A local stand-in for api.github.com: PR 7 at commit abc, no comments yet; records what it receives."""

    received: ClassVar[list[tuple[str, str, Any, object]]] = []

    def _answer(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.received.append((self.command, self.path, self.headers, body))  # case-insensitive

    def do_GET(self) -> None:
        self._record()
        if self.path == "/repos/o/r/pulls/7":
            self._answer(200, {"head": {"sha": "abc"}})
        elif self.path.startswith("/repos/o/r/issues/7/comments"):
            self._answer(200, [])
        else:
            self._answer(404, {"message": "Not Found"})

    def do_POST(self) -> None:
        self._record()
        self._answer(201, {"id": 1})

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api(monkeypatch) -> Iterator[list]:
    FakeApi.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret-token-xyz")
    yield FakeApi.received
    server.shutdown()
    server.server_close()


def test_post_comment_over_http(api: list, tmp_path: Path) -> None:
    body = tmp_path / "plan.md"
    body.write_text("## Plan\n")
    result = runner.invoke(app, ["ci", "post-comment", "--repo", "o/r", "--pr", "7", "--head-sha", "abc",
                                 "--body-file", str(body)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == "created the plan comment on o/r#7\n"
    method, path, headers, sent = api[-1]
    assert (method, path, sent) == ("POST", "/repos/o/r/issues/7/comments", {"body": f"{COMMENT_MARKER}\n## Plan\n"})
    assert headers["Authorization"] == "Bearer ghs_secret-token-xyz"
    assert headers["X-GitHub-Api-Version"] == "2022-11-28"


def test_http_errors_name_the_request_but_never_the_token(api: list, tmp_path: Path) -> None:
    body = tmp_path / "plan.md"
    body.write_text("## Plan\n")
    result = runner.invoke(app, ["ci", "post-comment", "--repo", "o/r", "--pr", "8", "--head-sha", "abc",
                                 "--body-file", str(body)])
    assert result.exit_code == 1
    assert "GitHub GET /repos/o/r/pulls/8: HTTP 404" in result.stderr
    assert "secret-token-xyz" not in result.stdout + result.stderr
    assert not any(method == "POST" for method, *_ in api)
