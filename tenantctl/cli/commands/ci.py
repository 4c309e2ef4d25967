"""`tenantctl ci ...`: the steps the GitHub workflows run (comment, affected stacks, kubeconfig, lead time, drift)."""

from __future__ import annotations

import datetime
import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from tenantctl.checks.loading import SettingsError
from tenantctl.checks.revision import RevisionError
from tenantctl.ci.comment import BOT_LOGIN, check_head, find_pull_request, post_or_update
from tenantctl.ci.drift import drift_summary
from tenantctl.ci.github import GitHub, GitHubError
from tenantctl.ci.lead_time import lead_time, markdown, merged_pull_request, parse_time
from tenantctl.ci.preview import PREVIEW, REVIEWED_PREVIEW, failing_step, preview_failure_markdown, preview_marker
from tenantctl.ci.stacks import affected_stacks, matrix
from tenantctl.cli.support import RootOption, fail, stderr, workspace
from tenantctl.review.gate import classify_paths
from tenantctl.source.errors import EXIT_USAGE
from tenantctl.source.inert import plain
from tenantctl.source.tree import (
    SETTINGS_FILE,
    TENANTS_DIR,
    changed_paths,
    git_file,
    git_tenant_files,
    resolve_commit,
)

ci_app = typer.Typer(help="Steps for CI (GitHub Actions); each is plain, tested Python.", no_args_is_help=True)
NO_COMMIT = "0" * 40
F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(command: F) -> F:
    """Every failure of a CI step is one `error:` line and exit 1, never a traceback in the job log."""
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (OSError, UnicodeError, ValueError, LookupError) as exc:
            reason = " ".join(str(getattr(exc, "strerror", None) or exc).split())[:300]
            where = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
            fail(f"{command.__name__.replace('_', '-')}: {reason}{where}")
    return run  # type: ignore[return-value]


def _github() -> GitHub:
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        fail("GITHUB_TOKEN is not set: pass the workflow's token in the step's env", code=EXIT_USAGE)
    return GitHub(token, os.environ.get("GITHUB_API_URL", "https://api.github.com"))


@ci_app.command("post-comment")
@one_line_errors
def post_comment(
    repo: Annotated[str, typer.Option(help="owner/name of the repository.")],
    pr: Annotated[int, typer.Option(help="Pull request number.")],
    body_file: Annotated[Path, typer.Option(help="Markdown file with the comment (e.g. plan.md).", exists=True,
                                            dir_okay=False)],
    head_sha: Annotated[str | None, typer.Option(help="Only comment if the PR is at this commit (use it when "
                                                    "the PR number comes from an artifact).")] = None,
    author: Annotated[str, typer.Option(help="Login that owns the comment (the token's user; a GitHub App's "
                                        "bot login if you use one).")] = BOT_LOGIN,
) -> None:
    """Create the PR's plan comment, or update it in place (found by its hidden marker)."""
    github = _github()
    try:
        if head_sha:
            check_head(github, repo, pr, head_sha)
        action = post_or_update(github, repo, pr, body_file.read_text(encoding="utf-8"), author=author)
    except (GitHubError, ValueError) as exc:
        fail(plain(str(exc)))
    print(f"{action} the plan comment on {repo}#{pr}")


@ci_app.command("find-pr")
def find_pr(
    repo: Annotated[str, typer.Option(help="owner/name of the repository.")],
    head_owner: Annotated[str, typer.Option(help="Owner of the PR's head repository (workflow_run event).")],
    head_branch: Annotated[str, typer.Option(help="The PR's head branch (workflow_run event).")],
    head_sha: Annotated[str, typer.Option(help="The PR's head commit (workflow_run event).")],
    github_output: Annotated[bool, typer.Option(help="Also write `pr=<number>` to $GITHUB_OUTPUT.")] = False,
) -> None:
    """The number of the open PR at HEAD_SHA, looked up through the API (no artifact is trusted for it)."""
    try:
        number = find_pull_request(_github(), repo, head_owner=head_owner, head_branch=head_branch, head_sha=head_sha)
    except (GitHubError, ValueError) as exc:
        fail(plain(str(exc)))
    print(number)
    if github_output:
        output = os.environ.get("GITHUB_OUTPUT")
        if not output:
            fail("--github-output needs the GITHUB_OUTPUT environment variable", code=EXIT_USAGE)
        with open(output, "a", encoding="utf-8") as stream:
            stream.write(f"pr={number}\n")


@ci_app.command("affected-stacks")
@one_line_errors
def stacks(
    base: Annotated[str | None, typer.Option(help="Git revision to compare with; empty or all zeros: all.")]
    = None,
    head: Annotated[str | None, typer.Option(help="Git revision to plan (read from git objects); default: the "
                                                "working tree.")] = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Every stack (drift check).")] = False,
    preview_environments: Annotated[bool, typer.Option(
        help="Add each stack's preview environment to the matrix: `<stack>-preview` when only tenant files changed, "
             "`<stack>-preview-reviewed` (required reviewers) when code, workflows, settings or the Pulumi project "
             "changed.")] = False,
    github_output: Annotated[bool, typer.Option(help="Also write `stacks=<json>` to $GITHUB_OUTPUT.")] = False,
    root: RootOption = Path("."),
) -> None:
    """The stacks a change affects, as a JSON matrix: [{"stack": ...}]."""
    ws = workspace(root)
    suffix = None
    if all_stacks or not base or base == NO_COMMIT:
        names = sorted(cluster.stack for cluster in ws.settings.clusters)
        suffix = REVIEWED_PREVIEW if preview_environments else None
    else:
        try:
            names = affected_stacks(root, base, head)
            if preview_environments:
                changed = changed_paths(root, resolve_commit(root, base), resolve_commit(root, head) if head else None)
                program, workflow, _ = classify_paths(changed)
                suffix = REVIEWED_PREVIEW if program or workflow else PREVIEW
        except RevisionError as exc:
            fail(f"cannot compare with {plain(repr(base))}: {plain(str(exc))}", code=EXIT_USAGE)
        except SettingsError as exc:
            fail(f"cannot compare with {plain(repr(base))}: invalid platform settings: {plain(str(exc))}")
    document = json.dumps(matrix(names, suffix))
    print(document)
    if github_output:
        output = os.environ.get("GITHUB_OUTPUT")
        if not output:
            fail("--github-output needs the GITHUB_OUTPUT environment variable", code=EXIT_USAGE)
        with open(output, "a", encoding="utf-8") as stream:
            stream.write(f"stacks={document}\n")


@ci_app.command("stage-data")
def stage_data(
    rev: Annotated[str, typer.Option(help="The pull request's head commit (its objects must be in this repository).")],
    root: RootOption = Path("."),
) -> None:
    """Put a pull request's DATA into this trusted checkout: its tenant files and platform settings, read from git
    objects under the plan's rules (regular `tenants/*.yaml` files only). Nothing else of the PR is written, so
    the program that runs next is this checkout's code. Exit 1 if the PR holds refused files."""
    try:
        commit = resolve_commit(root, rev)
        files = git_tenant_files(root, commit)
        settings = git_file(root, commit, SETTINGS_FILE)
    except RevisionError as exc:
        fail(f"cannot read {plain(repr(rev))}: {plain(str(exc))}", code=EXIT_USAGE)
    if files.errors:
        for problem in files.errors:
            stderr.print(plain(problem.text()), markup=False)
        fail("the pull request holds files under tenants/ that are refused; nothing was staged")
    folder = root / TENANTS_DIR
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        fail(f"{TENANTS_DIR} in this checkout is not a folder", code=EXIT_USAGE)
    folder.mkdir(exist_ok=True)
    for entry in folder.iterdir():
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink()
    for path, content in files.files:
        _write_new(root / path, content)
    if settings is not None:
        _write_new(root / SETTINGS_FILE, settings)
    print(f"staged {len(files.files)} tenant file(s){' and the platform settings' if settings is not None else ''} "
          f"of {commit[:12]}")


def _write_new(path: Path, content: bytes) -> None:
    if path.is_symlink():
        path.unlink()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)


@ci_app.command("preview-failed")
def preview_failed(
    stack: Annotated[str, typer.Option(help="The stack whose preview failed.")],
    repo: Annotated[str | None, typer.Option(help="owner/name; with --pr, also comment on the PR.")] = None,
    pr: Annotated[int | None, typer.Option(help="Pull request number (verified against --head-sha).")] = None,
    head_sha: Annotated[str | None, typer.Option(help="The PR's head commit that was previewed.")] = None,
    steps_variable: Annotated[str, typer.Option(help="Environment variable holding `toJSON(steps)`.")] = "STEPS",
) -> None:
    """A failed preview reaches the PR: markdown for the job summary (stdout) naming the failing step, and, with
    --repo/--pr, a short comment of its own (pulumi/actions comments only after a successful command)."""
    failing = failing_step(os.environ.get(steps_variable, ""))
    server, repository, run = (os.environ.get(name) for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                                                                 "GITHUB_RUN_ID"))
    url = f"{server}/{repository}/actions/runs/{run}" if server and repository and run else None
    body = preview_failure_markdown(stack, failing, url)
    print(body, end="")
    if repo and pr:
        github = _github()
        try:
            if head_sha:
                check_head(github, repo, pr, head_sha)
            post_or_update(github, repo, pr, body, marker=preview_marker(stack))
        except (GitHubError, ValueError) as exc:
            fail(plain(str(exc)))


@ci_app.command("write-kubeconfig")
@one_line_errors
def write_kubeconfig(
    path: Annotated[Path, typer.Argument(help="Where to write it (e.g. $RUNNER_TEMP/kubeconfig).")],
    variable: Annotated[str, typer.Option(help="Environment variable holding the kubeconfig.")] = "KUBECONFIG_CONTENT",
) -> None:
    """Write a kubeconfig from a secret in the environment, readable only by this user; never prints it."""
    content = os.environ.get(variable, "")
    if not content.strip():
        fail(f"{variable} is empty: add the cluster's kubeconfig as a repository or environment secret",
             code=EXIT_USAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(content)
    os.chmod(path, 0o600)
    env_file = os.environ.get("GITHUB_ENV")
    if env_file:
        with open(env_file, "a", encoding="utf-8") as stream:
            stream.write(f"KUBECONFIG={path}\n")
    print(f"wrote the kubeconfig to {path} (mode 600)")


@ci_app.command("lead-time")
@one_line_errors
def lead_time_summary(
    repo: Annotated[str, typer.Option(help="owner/name of the repository.")],
    sha: Annotated[str, typer.Option(help="The commit that was applied.")],
    applied_at: Annotated[str | None, typer.Option(help="When it was applied (ISO 8601; default: now).")]
    = None,
) -> None:
    """Markdown for the job summary: PR opened → merged → applied."""
    applied = parse_time(applied_at) if applied_at else datetime.datetime.now(datetime.UTC)
    pull = merged_pull_request(_github(), repo, sha)
    print(markdown(lead_time(pull, applied) if pull else None, sha), end="")


@ci_app.command("drift-summary")
@one_line_errors
def drift_summary_command(
    stack: Annotated[str, typer.Option(help="The stack whose drift check failed.")],
) -> None:
    """Markdown for the job summary of a failed drift check: the likely causes and what to do."""
    server, repo, run = (os.environ.get(name) for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    print(drift_summary(stack, f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None), end="")


def register(app: typer.Typer) -> None:
    app.add_typer(ci_app, name="ci")
