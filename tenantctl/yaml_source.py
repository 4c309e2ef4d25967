"""Read YAML files with ruamel.yaml, keeping the line and column of every key and item."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from tenantctl.problems import Problem, Severity


class YamlFileError(Exception):
    """A file that cannot be read as a YAML mapping; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text())
        self.problem = problem


@dataclass
class YamlDocument:
    """A parsed YAML mapping plus the file it came from, for positions in error messages."""

    path: str
    data: CommentedMap

    def position(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """1-based line and column of the deepest node on `loc` that exists in the file."""
        node: Any = self.data
        line, column = node.lc.line, node.lc.col
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                line, column = node.lc.key(part)
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                line, column = node.lc.item(part)
                node = node[part]
            else:
                break
        return line + 1, column + 1

    def problem(self, loc: Sequence[str | int], message: str, severity: Severity = "error") -> Problem:
        line, column = self.position(loc)
        return Problem(self.path, line, column, field_path(loc), message, severity)


def field_path(loc: Sequence[str | int]) -> str:
    """`("environments", "prod", "storage", 0, "size")` -> `environments.prod.storage[0].size`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def new_yaml() -> YAML:
    """The round-trip loader/dumper used for every file we read or edit."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


def parse_text(text: str, path: str) -> YamlDocument:
    """Parse YAML text that must hold one mapping; raise YamlFileError with a position otherwise."""
    try:
        data = new_yaml().load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = str(exc.problem).split('"')[1] if '"' in str(exc.problem) else "a key"
        raise YamlFileError(Problem(path, mark.line + 1, mark.column + 1, key,
                                    f"duplicate key {key!r}: each key may appear once; keep one of them")) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        raise YamlFileError(Problem(path, line, column, "", f"YAML syntax error: {reason}; fix the YAML "
                                    "(check indentation, colons and quotes)")) from None
    except YAMLError as exc:
        raise YamlFileError(Problem(path, 1, 1, "", f"YAML error: {exc}")) from None
    if data is None:
        raise YamlFileError(Problem(path, 1, 1, "", "the file is empty: it must hold a mapping of fields; "
                                    "run `tenantctl new NAME` for a complete example"))
    if not isinstance(data, CommentedMap):
        kind = "a list" if isinstance(data, CommentedSeq) else f"a single value ({type(data).__name__})"
        raise YamlFileError(Problem(path, 1, 1, "", f"the file holds {kind}, but it must be a mapping of "
                                    "fields (name: ..., owner: ..., environments: ...)"))
    return YamlDocument(path, data)


def read_document(path: Path, display_path: str | None = None) -> YamlDocument:
    """Read and parse a YAML file; non-UTF-8 bytes and unreadable files become a YamlFileError."""
    shown = display_path or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlFileError(Problem(shown, 1, 1, "", f"cannot read the file: {exc.strerror}")) from None
    return parse_bytes(raw, shown)


def parse_bytes(raw: bytes, path: str) -> YamlDocument:
    """Decode UTF-8 (pointing at the first bad byte) and parse."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlFileError(Problem(path, line, column, "", f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                    "save it as UTF-8")) from None
    return parse_text(text, path)
