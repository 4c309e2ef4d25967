"""Read YAML files with ruamel.yaml, keeping the line and column of every key and item."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from tenantctl.source.errors import UserError
from tenantctl.source.fastyaml import Mapping as FastMapping
from tenantctl.source.fastyaml import Sequence as FastSequence
from tenantctl.source.fastyaml import fast_load
from tenantctl.source.problems import Problem, Severity


class YamlFileError(UserError):
    """A file that cannot be read as a YAML mapping; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text())
        self.problem = problem

    def lines(self) -> list[str]:
        return [self.problem.text()]


@dataclass
class YamlDocument:
    """A parsed YAML mapping plus the file it came from, for positions in error messages."""

    path: str
    data: CommentedMap | FastMapping  # Mapping: read by the fast path (tenantctl.source.fastyaml), same positions

    def position(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """1-based line and column of the deepest node on `loc` that exists in the file."""
        node: Any = self.data
        line, column = node.lc.line, node.lc.col
        for part in loc:
            if isinstance(node, (CommentedMap, FastMapping)) and part in node:
                line, column = node.lc.key(part)
                node = node[part]
            elif isinstance(node, (CommentedSeq, FastSequence)) and isinstance(part, int) and 0 <= part < len(node):
                line, column = node.lc.item(part)
                node = node[part]
            else:
                break
        return line + 1, column + 1

    def problem(self, loc: Sequence[str | int], message: str, severity: Severity = "error") -> Problem:
        line, column = self.position(loc)
        return Problem(self.path, line, column, field_path(loc, self.data), message, severity)


def field_path(loc: Sequence[str | int], data: Any = None) -> str:
    """`("environments", "prod", "storage", 0, "size")` -> `environments.prod.storage[0].size`.

    With the document's `data`, a number that is a mapping key (`environments: {2024: ...}`) reads `.2024`.
    """
    text, node = "", data
    for part in loc:
        is_index = isinstance(part, int) and not isinstance(node, dict)
        name = str(part) if _PLAIN_KEY.fullmatch(str(part)) else repr(str(part))
        text += f"[{part}]" if is_index else (f".{name}" if text else name)
        node = _child(node, part)
    return text


_PLAIN_KEY = re.compile(r"[\w.:/@-]+")


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


class ValueNotReadable(ConstructorError):
    """A scalar YAML recognises (a number, a date) whose value cannot be built; carries its position."""


class TenantConstructor(RoundTripConstructor):
    """The round-trip constructor, minus its bare ValueErrors: a date that does not exist (2030-02-30) stays
    text for the model to report at its field; a number with thousands of digits is an error at its position."""

    def construct_yaml_int(self, node: Any) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise ValueNotReadable(None, None, f"the number starting {node.value[:12]!r} is far too long: "
                                   "shorten it", node.start_mark) from None

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:  # 2030-02-30: left as text, so the model reports it at its field
            return node.value


TenantConstructor.add_constructor("tag:yaml.org,2002:int", TenantConstructor.construct_yaml_int)
TenantConstructor.add_constructor("tag:yaml.org,2002:timestamp", TenantConstructor.construct_yaml_timestamp)


def new_yaml() -> YAML:
    """The round-trip loader/dumper used for every file we read or edit."""
    yaml = YAML(typ="rt")
    yaml.Constructor = TenantConstructor
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


def parse_text(text: str, path: str) -> YamlDocument:
    """Parse YAML text that must hold one mapping; raise YamlFileError with a position otherwise."""
    fast = fast_load(text)  # libyaml for ordinary files; None: anything unusual takes the ruamel path below
    if fast is not None:
        return YamlDocument(path, fast)
    try:
        data = new_yaml().load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = str(exc.problem).split('"')[1] if '"' in str(exc.problem) else "a key"
        raise YamlFileError(Problem(path, mark.line + 1, mark.column + 1, key,
                                    f"duplicate key {key!r}: each key may appear once; keep one of them")) from None
    except ValueNotReadable as exc:
        mark = exc.problem_mark
        raise YamlFileError(Problem(path, mark.line + 1, mark.column + 1, "", str(exc.problem))) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = " ".join(" ".join(filter(None, [exc.context, exc.problem])).split())
        raise YamlFileError(Problem(path, line, column, "", f"YAML syntax error: {reason}; fix the YAML "
                                    "(check indentation, colons and quotes)")) from None
    except ReaderError as exc:
        line, column = _line_column(text, exc.position)
        raise YamlFileError(Problem(path, line, column, "", f"the file contains the control character "
                                    f"U+{exc.character:04X}, which YAML does not allow: remove it")) from None
    except RecursionError:
        raise YamlFileError(Problem(path, 1, 1, "", "the file nests lists or mappings too deeply to read: "
                                    "a tenant file needs at most a few levels")) from None
    except YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise YamlFileError(Problem(path, 1, 1, "", f"YAML error: {reason}; fix the YAML "
                                    "(check indentation, colons and quotes)")) from None
    if data is None:
        raise YamlFileError(Problem(path, 1, 1, "", "the file is empty: add the tenant's fields, or run "
                                    "`tenantctl new NAME` to write a complete example"))
    if not isinstance(data, CommentedMap):
        kind = "a list" if isinstance(data, CommentedSeq) else f"the single value {str(data)[:40]!r}"
        raise YamlFileError(Problem(path, 1, 1, "", f"the file holds {kind}, but it must be a mapping of "
                                    "fields: write `name: ...`, `owner: ...`, `environments: ...` at the top level"))
    document = YamlDocument(path, data)
    _resolve_tags(document)
    return document


STR_TAG = "tag:yaml.org,2002:str"


def _resolve_tags(document: YamlDocument) -> None:
    """Unwrap `!!str` values; refuse other explicit tags (`!foo`), which no tenant field understands."""
    stack: list[tuple[Any, list[str | int]]] = [(document.data, [])]
    while stack:
        node, loc = stack.pop()
        tag = getattr(getattr(node, "tag", None), "value", None)
        if tag and tag != STR_TAG:
            raise YamlFileError(document.problem(loc, f"the YAML tag {tag!r} is not supported here: remove it"))
        items = node.items() if isinstance(node, CommentedMap) else \
            enumerate(node) if isinstance(node, CommentedSeq) else ()
        for key, child in list(items):
            if isinstance(key, TaggedScalar):
                raise YamlFileError(document.problem(loc, f"the key {str(key.value)!r} has a YAML tag: "
                                                     "write it as a plain name"))
            if isinstance(child, TaggedScalar) and getattr(child.tag, "value", None) == STR_TAG:
                node[key] = str(child.value)
            else:
                stack.append((child, [*loc, key]))


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


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
