"""Problems found in tenant or settings files, each pointing at file, line, column and field."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from tenantctl.source.inert import plain

Severity = Literal["error", "approval", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or needing approval) in one file, in plain words with what to do."""

    path: str
    line: int
    column: int
    field: str
    message: str
    severity: Severity = "error"

    def text(self) -> str:
        """One line: control, ANSI, bidi and invisible characters from the file are shown escaped (`\\x1b`)."""
        prefix = {"approval": "needs platform approval: ", "warning": "warning: "}.get(self.severity, "")
        where = f"{plain(self.field)}: " if self.field else ""
        return f"{plain(self.path)}:{self.line}:{self.column}: {where}{prefix}{plain(self.message)}"

    def github(self) -> str:
        level = "error" if self.severity == "error" else "warning"
        title = "needs platform approval" if self.severity == "approval" else self.field or "tenant file"
        message = f"{self.field}: {self.message}" if self.field else self.message
        return (f"::{level} file={_escape_property(plain(self.path))},line={self.line},col={self.column},"
                f"title={_escape_property(plain(title))}::{_escape(plain(message))}")


def _escape(text: str) -> str:
    """GitHub workflow-command escaping for a message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """GitHub workflow-command escaping for a property value (file, title): also ':' and ','."""
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def as_json(problems: Iterable[Problem]) -> str:
    return json.dumps([asdict(problem) for problem in problems], indent=2)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == "error"]
