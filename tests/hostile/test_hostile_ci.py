"""CI helpers under hostile arguments and a broken network: one clean `error:` line, no traceback, no file
touched by option injection."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.support import assert_clean, run_cli


@pytest.mark.parametrize("base", ["--output=VICTIM", "-p", "--exec=touch VICTIM", "HEAD\n--output=VICTIM",
                                  "[/bold]", "main..--output=x", "x" * 5000, "refs/heads/nope"])
def test_a_hostile_base_revision_is_refused_before_git_reads_it(base: str, git_repo: Path) -> None:
    victim = git_repo / "VICTIM"
    victim.write_text("keep me\n")
    run = run_cli(git_repo, "ci", "affected-stacks", f"--base={base.replace('VICTIM', str(victim))}", timeout=30)
    assert_clean(run)
    assert run.code == 2
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: cannot compare with"), run.stderr
    assert victim.read_text() == "keep me\n"


def test_a_real_base_still_works(git_repo: Path) -> None:
    run = run_cli(git_repo, "ci", "affected-stacks", "--base=main", timeout=60)
    assert_clean(run)
    assert run.code == 0 and run.stdout.strip() == "[]"


@pytest.mark.parametrize("api_url", ["http://127.0.0.1:9", "http://[::1", "file:///etc/passwd",
                                     "http://nonexistent.invalid"])
def test_post_comment_network_errors_are_one_line(api_url: str, tmp_path: Path) -> None:
    body = tmp_path / "plan.md"
    body.write_text("plan\n")
    run = run_cli(tmp_path, "ci", "post-comment", "--repo", "o/r", "--pr", "1", "--body-file", str(body),
                  env={"GITHUB_TOKEN": "secret-token-value", "GITHUB_API_URL": api_url}, timeout=60, with_root=False)
    assert_clean(run)
    assert run.code == 1
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: GitHub GET"), run.stderr
    assert "secret-token-value" not in run.output


def test_post_comment_with_a_body_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    body = tmp_path / "plan.md"
    body.write_bytes(b"\xff\xfe plan")
    run = run_cli(tmp_path, "ci", "post-comment", "--repo", "o/r", "--pr", "1", "--body-file", str(body),
                  env={"GITHUB_TOKEN": "t", "GITHUB_API_URL": "http://127.0.0.1:9"}, timeout=60, with_root=False)
    assert_clean(run)
    assert run.code == 1 and len(run.stderr.strip().splitlines()) == 1


def test_write_kubeconfig_to_a_folder_is_one_line(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "ci", "write-kubeconfig", str(tmp_path), env={"KUBECONFIG_CONTENT": "x"}, timeout=30,
                  with_root=False)
    assert_clean(run)
    assert run.code == 1 and run.stderr.strip().splitlines() == [
        f"error: write-kubeconfig: Is a directory ({tmp_path})"]
