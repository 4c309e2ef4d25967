"""Lead time of a change: PR opened -> merged -> applied, measured on every apply."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from tenantctl.ci.github import GitHub


@dataclass(frozen=True)
class LeadTime:
    pr: int
    title: str
    opened: datetime.datetime
    merged: datetime.datetime
    applied: datetime.datetime

    @property
    def review(self) -> datetime.timedelta:
        return self.merged - self.opened

    @property
    def apply(self) -> datetime.timedelta:
        return self.applied - self.merged

    @property
    def total(self) -> datetime.timedelta:
        return self.applied - self.opened


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def human(delta: datetime.timedelta) -> str:
    """`1d 2h 3m`, `12m 5s`: short and exact enough for a summary."""
    seconds = int(delta.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {seconds}s"


def merged_pull_request(github: GitHub, repo: str, sha: str) -> dict[str, Any] | None:
    """The merged PR that produced commit `sha` on the default branch (None for a direct push)."""
    pulls = github.request("GET", f"/repos/{repo}/commits/{sha}/pulls") or []
    merged = [pull for pull in pulls if pull.get("merged_at")]
    return merged[0] if merged else None


def lead_time(pull: dict[str, Any], applied: datetime.datetime) -> LeadTime:
    return LeadTime(int(pull["number"]), pull.get("title", ""), parse_time(pull["created_at"]),
                    parse_time(pull["merged_at"]), applied)


def markdown(item: LeadTime | None, sha: str) -> str:
    if item is None:
        return f"### Lead time\n\nCommit `{sha[:12]}` was not merged through a pull request; no lead time.\n"
    return (f"### Lead time of #{item.pr} {item.title}\n\n"
            "| PR opened → merged (review) | merged → applied | PR opened → applied |\n|---|---|---|\n"
            f"| {human(item.review)} | {human(item.apply)} | **{human(item.total)}** |\n\n"
            f"Opened {item.opened.isoformat()}, merged {item.merged.isoformat()}, applied "
            f"{item.applied.isoformat()}.\n")
