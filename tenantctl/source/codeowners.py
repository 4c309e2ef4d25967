"""Read a CODEOWNERS file: its rules with their line numbers, and which rule owns a path (later lines win)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path


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
    """The rule that decides who owns `path`: the last one that matches."""
    matching = [rule for rule in rules if rule.matches(path)]
    return matching[-1] if matching else None
