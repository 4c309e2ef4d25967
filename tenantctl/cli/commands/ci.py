"""`tenantctl ci ...`: the steps the GitHub workflows run (comment, affected stacks, kubeconfig, lead time, drift)."""

from __future__ import annotations

import datetime
import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from tenantctl.checks.revision import RevisionError
from tenantctl.ci.comment import BOT_LOGIN, check_head, post_or_update
from tenantctl.ci.drift import drift_summary
from tenantctl.ci.github import GitHub, GitHubError
from tenantctl.ci.lead_time import lead_time, markdown, merged_pull_request, parse_time
from tenantctl.ci.stacks import affected_stacks, matrix
from tenantctl.cli.support import RootOption, fail, valid_fleet, workspace
from tenantctl.source.errors import EXIT_USAGE

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
    head_sha: Annotated[Optional[str], typer.Option(help="Only comment if the PR is at this commit (use it when "
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
        fail(str(exc))
    print(f"{action} the plan comment on {repo}#{pr}")


@ci_app.command("affected-stacks")
@one_line_errors
def stacks(
    base: Annotated[Optional[str], typer.Option(help="Git revision to compare with; empty or all zeros: all.")]
    = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Every stack (drift check).")] = False,
    github_output: Annotated[bool, typer.Option(help="Also write `stacks=<json>` to $GITHUB_OUTPUT.")] = False,
    root: RootOption = Path("."),
) -> None:
    """The stacks a change affects, as a JSON matrix: [{"stack": ...}]."""
    ws = workspace(root)
    if all_stacks or not base or base == NO_COMMIT:
        names = sorted(cluster.stack for cluster in ws.settings.clusters)
    else:
        try:
            names = affected_stacks(root, base, ws.settings, valid_fleet(ws))
        except RevisionError as exc:
            fail(f"cannot compare with {base!r}: {exc}", code=EXIT_USAGE)
    document = json.dumps(matrix(names))
    print(document)
    if github_output:
        output = os.environ.get("GITHUB_OUTPUT")
        if not output:
            fail("--github-output needs the GITHUB_OUTPUT environment variable", code=EXIT_USAGE)
        with open(output, "a", encoding="utf-8") as stream:
            stream.write(f"stacks={document}\n")


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
    applied_at: Annotated[Optional[str], typer.Option(help="When it was applied (ISO 8601; default: now).")]
    = None,
) -> None:
    """Markdown for the job summary: PR opened → merged → applied."""
    applied = parse_time(applied_at) if applied_at else datetime.datetime.now(datetime.timezone.utc)
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
