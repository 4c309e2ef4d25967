"""Read a CODEOWNERS file: its rules with their line numbers, and which rule owns a path (later lines win)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CodeOwnersRule:
    """One `pattern owner...` line of a CODEOWNERS file."""

    line: int
    pattern: str
    owners: tuple[str, ...]

    def matches(self, path: str) -> bool:
        """GitHub's gitignore-style matching for the patterns this repository uses: `*`, `/dir/`, `/file`, globs."""
        pattern = self.pattern
        if pattern == "*":
            return True
        anchored = pattern.startswith("/")
        pattern = pattern.lstrip("/")
        if pattern.endswith("/"):
            return path.startswith(pattern) if anchored else f"/{pattern}" in f"/{path}"
        if anchored:
            return fnmatch.fnmatchcase(path, pattern) or path.startswith(f"{pattern}/")
        return fnmatch.fnmatchcase(Path(path).name, pattern) or fnmatch.fnmatchcase(path, f"*/{pattern}")


def parse_codeowners(text: str) -> list[CodeOwnersRule]:
    """The rules of a CODEOWNERS file, comments and blank lines left out."""
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if words:
            rules.append(CodeOwnersRule(number, words[0], tuple(words[1:])))
    return rules


def owning_rule(rules: list[CodeOwnersRule], path: str) -> CodeOwnersRule | None:
    """The rule that decides who owns `path`: the last one that matches.

    A fleet has one `/tenants/<name>.yaml` line per tenant, so scanning every rule for every tenant is quadratic
    (10,000 tenants: 10^8 matches, minutes). Anchored literal patterns are looked up by path and by each parent
    folder instead; only the few glob and folder patterns are scanned. Same answer as the scan (tested)."""
    exact, others = _index(rules)
    best = -1
    parts = path.split("/")
    for end in range(len(parts), 0, -1):
        best = max(best, exact.get("/".join(parts[:end]), -1))
    for position, rule in reversed(others):
        if position < best:
            break
        if rule.matches(path):
            best = position
            break
    return rules[best] if best >= 0 else None


_INDEXED: list[Any] = []  # [(rules, length, exact, others)] for the last list of rules seen


def _index(rules: list[CodeOwnersRule]) -> tuple[dict[str, int], list[tuple[int, CodeOwnersRule]]]:
    if _INDEXED and _INDEXED[0][0] is rules and _INDEXED[0][1] == len(rules):
        return _INDEXED[0][2], _INDEXED[0][3]
    exact: dict[str, int] = {}
    others: list[tuple[int, CodeOwnersRule]] = []
    for position, rule in enumerate(rules):
        pattern = rule.pattern
        if pattern.startswith("/") and not pattern.endswith("/") and not any(c in pattern for c in "*?[\\"):
            exact[pattern[1:]] = position  # `/a/b` owns `a/b` and everything under it; later lines win
        else:
            others.append((position, rule))
    _INDEXED[:] = [(rules, len(rules), exact, others)]
    return exact, others
