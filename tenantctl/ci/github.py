"""A minimal GitHub REST client over urllib; `send` can be replaced in tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable

from tenantctl.source.errors import UserError

Send = Callable[[str, str, Any], Any]


class GitHubError(UserError):
    """GitHub answered with an error; the message never contains the token."""


@dataclass
class GitHub:
    token: str
    api_url: str = "https://api.github.com"
    send: Send | None = None

    def request(self, method: str, path: str, body: Any = None) -> Any:
        if self.send is not None:
            return self.send(method, path, body)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.api_url}{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "tenant-platform"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - fixed https API URL
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise GitHubError(f"GitHub {method} {path}: HTTP {exc.code} {exc.reason}") from None
        return json.loads(payload) if payload else None
