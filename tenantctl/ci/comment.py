"""One PR comment per pull request: found by its hidden marker, updated in place, never duplicated."""

from __future__ import annotations

import urllib.parse

from tenantctl.ci.github import GitHub
from tenantctl.review.plan_report import COMMENT_MARKER, GITHUB_COMMENT_LIMIT

# The login of the workflow's GITHUB_TOKEN; only its own comments are ever edited.
BOT_LOGIN = "github-actions[bot]"


def find_comment(github: GitHub, repo: str, pr: int, marker: str, author: str = BOT_LOGIN) -> int | None:
    """The id of `author`'s comment on the PR that carries `marker`, or None.

    Anyone can paste the marker into a comment; matching the author too keeps the bot from taking over theirs.
    The body must START with the marker: pulumi/actions posts as the same bot, and its comment quotes the preview
    output (which may carry tenant text, marker included) after its own heading (pulumi/actions
    `src/libs/pr.ts:75`, `#### :tropical_drink: ...`), so a marker anywhere else is never ours."""
    page = 1
    while True:
        comments = github.request("GET", f"/repos/{repo}/issues/{pr}/comments?per_page=100&page={page}")
        for comment in comments or []:
            body = comment.get("body") or ""
            if body.startswith(marker + "\n") and (comment.get("user") or {}).get("login") == author:
                return int(comment["id"])
        if not comments or len(comments) < 100:
            return None
        page += 1


def find_pull_request(github: GitHub, repo: str, *, head_owner: str, head_branch: str, head_sha: str) -> int:
    """The open PR of `repo` whose head is `head_owner:head_branch` at `head_sha` (from the trusted workflow_run
    event, never from an artifact). Raises ValueError when there is none or more than one."""
    query = urllib.parse.urlencode({"state": "open", "head": f"{head_owner}:{head_branch}", "per_page": "100"})
    pulls = github.request("GET", f"/repos/{repo}/pulls?{query}") or []
    numbers = [int(pull["number"]) for pull in pulls if (pull.get("head") or {}).get("sha") == head_sha]
    if len(numbers) != 1:
        raise ValueError(f"no single open pull request of {repo} has its head at {head_sha} "
                         f"({len(numbers)} found): not commenting")
    return numbers[0]


def check_head(github: GitHub, repo: str, pr: int, head_sha: str) -> None:
    """Refuse to comment unless PR `pr` really is at `head_sha` (the artifact's PR number is untrusted data)."""
    pull = github.request("GET", f"/repos/{repo}/pulls/{pr}")
    actual = (pull or {}).get("head", {}).get("sha")
    if actual != head_sha:
        raise ValueError(f"{repo}#{pr} is at {actual}, not at the planned commit {head_sha}: not commenting")


def post_or_update(github: GitHub, repo: str, pr: int, body: str, marker: str = COMMENT_MARKER,
                   author: str = BOT_LOGIN) -> str:
    """Create the comment, or update `author`'s one that is there; returns "created" or "updated"."""
    if not body.startswith(marker + "\n"):
        body = f"{marker}\n{body}"
    if len(body) > GITHUB_COMMENT_LIMIT:
        raise ValueError(f"comment is {len(body)} characters; GitHub allows {GITHUB_COMMENT_LIMIT}")
    existing = find_comment(github, repo, pr, marker, author)
    if existing is None:
        github.request("POST", f"/repos/{repo}/issues/{pr}/comments", {"body": body})
        return "created"
    github.request("PATCH", f"/repos/{repo}/issues/comments/{existing}", {"body": body})
    return "updated"
