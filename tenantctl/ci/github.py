"""A minimal GitHub REST client over urllib; `send` can be replaced in tests."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
        try:
            request = urllib.request.Request(f"{self.api_url}{path}", data=data, method=method, headers={
                "Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "tenant-platform"})
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise GitHubError(f"GitHub {method} {path}: HTTP {exc.code} {_one_line(exc.reason)}") from None
        except urllib.error.URLError as exc:  # DNS, refused connection, TLS
            raise GitHubError(f"GitHub {method} {path}: cannot connect to {self.api_url}: "
                              f"{_one_line(exc.reason)}") from None
        except (OSError, ValueError, http.client.HTTPException) as exc:  # timeouts, resets, bad URLs, bad answers
            raise GitHubError(f"GitHub {method} {path}: {_one_line(exc)} "
                              f"(GITHUB_API_URL is {self.api_url!r})") from None
        if len(payload) > MAX_RESPONSE_BYTES:
            raise GitHubError(f"GitHub {method} {path}: the answer is larger than {MAX_RESPONSE_BYTES} bytes")
        try:
            return json.loads(payload) if payload else None
        except ValueError:
            raise GitHubError(f"GitHub {method} {path}: the answer is not JSON") from None


MAX_RESPONSE_BYTES = 32 * 1024 * 1024


def _one_line(reason: object) -> str:
    """An error reason as one short line (never the token: it is only ever in a request header)."""
    return " ".join(str(reason).split())[:300] or "no reason given"
