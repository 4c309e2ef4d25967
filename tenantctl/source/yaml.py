"""Read YAML files with ruamel.yaml, keeping the line and column of every key and item."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, DocumentStartEvent, ScalarEvent
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


# --- bounds (README: "Bounds on input") ---------------------------------------------------------------------------
MAX_FILE_BYTES = 256 * 1024  # a real tenant file is about 1 KiB; settings about 3 KiB
MAX_DEPTH = 32  # nesting of mappings and lists; a tenant file needs 5
MAX_NUMBER_CHARS = 24  # a plain number longer than this is refused at its position (no huge-integer work)
_DECIMAL_INT = re.compile(r"-?[0-9]+")
_DECIMAL_FLOAT = re.compile(r"-?([0-9]+\.[0-9]*|\.[0-9]+)")
_NUMBER_LIKE = re.compile(  # what a YAML 1.1 or 1.2 resolver could read as a number
    r"[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|[0-9_]+(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9_]+([eE][-+]?[0-9]+)?)")
_DIRECTIVE = re.compile(r"^%YAML[ \t]+(\S*)", re.MULTILINE)


class ValueNotReadable(ConstructorError):
    """A scalar YAML recognises (a number, a date) whose value cannot be built; carries its position."""


class InputRefused(MarkedYAMLError):
    """A YAML feature tenant and settings files may not use (aliases, anchors, merge keys, tags, other YAML
    versions, deep nesting); `problem` is the whole message, `problem_mark` its position, `loc` its field."""

    loc: tuple[str | int, ...] | list[str | int] = ()


class StrictComposer(Composer):
    """ruamel's composer, refusing what makes input unbounded or ambiguous before anything is constructed.

    Aliases expand on construction (a few hundred bytes can cost hours: "billion laughs"), so anchors, aliases
    and merge keys (`<<`) are refused outright rather than budgeted. Every explicit tag (`!!float`, `!!binary`,
    `!!set`, `!!omap`, `!custom`, even `!!str`) is refused: a tag changes what a value means without the
    reviewer seeing it (a `!!binary` group name hides `system:authenticated`). A `%YAML` directive other than 1.2
    would switch the resolver to YAML 1.1 (`1:00` is 60 there) and is refused too.
    """

    def compose_document(self) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, DocumentStartEvent) and event.version is not None and tuple(event.version) != (1, 2):
            version = ".".join(map(str, event.version))
            raise InputRefused(None, None, f"the directive %YAML {version} is not supported: tenant and settings "
                               "files are YAML 1.2; remove the %YAML line", event.start_mark)
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not hasattr(self, "_loc"):
            self._loc: list[Any] = []
        part = index if isinstance(index, int) else getattr(index, "value", None)
        self._loc.append(part)
        try:
            self._refuse_hostile(self.parser.peek_event())
            return super().compose_node(parent, index)
        except InputRefused as exc:
            if not exc.loc:
                exc.loc = [part for part in self._loc if isinstance(part, (str, int))]
            raise
        finally:
            self._loc.pop()

    def _refuse_hostile(self, event: Any) -> None:
        if isinstance(event, AliasEvent):
            raise InputRefused(None, None, f"the alias *{event.anchor} is not allowed: YAML aliases and anchors "
                               "are refused in tenant and settings files; write the value out in full",
                               event.start_mark)
        if event.anchor is not None:
            raise InputRefused(None, None, f"the anchor &{event.anchor} is not allowed: YAML aliases and anchors "
                               "are refused in tenant and settings files; remove it and write values out in full",
                               event.start_mark)
        tag = getattr(event, "ctag", None)
        if tag is not None:
            shown = getattr(tag, "handle", None) and getattr(tag, "suffix", None)
            shown = f"{tag.handle}{tag.suffix}" if shown else str(getattr(tag, "value", tag))
            raise InputRefused(None, None, f"the YAML tag {shown} is not allowed: remove it (quote the value if it "
                               "is text)", event.start_mark)
        if isinstance(event, ScalarEvent) and event.style is None and len(event.value) > MAX_NUMBER_CHARS \
                and _NUMBER_LIKE.fullmatch(event.value):
            raise InputRefused(None, None, f"the number starting {event.value[:12]!r} is far too long "
                               f"({len(event.value)} characters, at most {MAX_NUMBER_CHARS}): shorten it",
                               event.start_mark)
        if isinstance(event, ScalarEvent) and event.value == "<<" and event.style is None:
            raise InputRefused(None, None, "the merge key << is not allowed: YAML merge keys are refused in tenant "
                               "and settings files; write the fields out in full", event.start_mark)
        if self.depth >= MAX_DEPTH:
            too_deep = InputRefused(None, None, "the file nests lists or mappings too deeply "
                                    f"(more than {MAX_DEPTH} levels): a tenant file needs at most a few "
                                    "levels; remove the extra nesting", event.start_mark)
            too_deep.loc = [part for part in self._loc if isinstance(part, (str, int))][:1]  # the top-level field
            raise too_deep


class TenantConstructor(RoundTripConstructor):
    """The round-trip constructor, strict about numbers: only plain decimal digits are numbers (`1e3`, `0x10`,
    `1_0`, `.inf` stay text, so the model reports them at their field); numbers are capped in length (no
    huge-integer work, no tracebacks); a float keeps its source text so quantities use exact decimal
    arithmetic. A date that does not exist (2030-02-30) stays text for the model to report at its field."""

    def _check_length(self, node: Any) -> None:
        if len(node.value) > MAX_NUMBER_CHARS:
            raise ValueNotReadable(None, None, f"the number starting {node.value[:12]!r} is far too long "
                                   f"({len(node.value)} characters, at most {MAX_NUMBER_CHARS}): shorten it",
                                   node.start_mark)

    def construct_yaml_int(self, node: Any) -> Any:
        if not _DECIMAL_INT.fullmatch(node.value):
            return self.construct_scalar(node)
        self._check_length(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: Any) -> Any:
        if not _DECIMAL_FLOAT.fullmatch(node.value):
            return self.construct_scalar(node)
        self._check_length(node)
        value = super().construct_yaml_float(node)
        value._yaml_text = node.value  # the exact decimal the user wrote (see model.quantity)
        return value

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):  # 2030-02-30: left as text, so the model reports it at its field
            return node.value


TenantConstructor.add_constructor("tag:yaml.org,2002:int", TenantConstructor.construct_yaml_int)
TenantConstructor.add_constructor("tag:yaml.org,2002:float", TenantConstructor.construct_yaml_float)
TenantConstructor.add_constructor("tag:yaml.org,2002:timestamp", TenantConstructor.construct_yaml_timestamp)


def new_yaml() -> YAML:
    """The round-trip loader/dumper used for every file we read or edit."""
    yaml = YAML(typ="rt")
    yaml.Constructor = TenantConstructor
    yaml.Composer = StrictComposer
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


def parse_text(text: str, path: str) -> YamlDocument:
    """Parse YAML text that must hold one mapping; raise YamlFileError with a position otherwise."""
    for directive in _DIRECTIVE.finditer(text):  # before the parser: it asserts on versions it does not know
        if directive[1] != "1.2":
            line, column = _line_column(text, directive.start())
            raise YamlFileError(Problem(path, line, column, "", f"the directive %YAML {directive[1][:20]} is not "
                                        "supported: tenant and settings files are YAML 1.2; remove the %YAML line"))
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
    except (ValueNotReadable, InputRefused) as exc:
        mark = exc.problem_mark
        loc = getattr(exc, "loc", [])
        raise YamlFileError(Problem(path, mark.line + 1, mark.column + 1, field_path(loc), str(exc.problem))) from None
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
    except AssertionError:  # ruamel asserts on some malformed input instead of raising a YAMLError
        raise YamlFileError(Problem(path, 1, 1, "", "the file cannot be read as YAML 1.2: fix the YAML (check "
                                    "directives, indentation, colons and quotes)")) from None
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


def read_bounded(path: Path, shown: str | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is a YamlFileError, never a hang.

    The one reader of tenant and settings files (both loaders use it): symbolic links, devices, FIFOs and sockets
    are refused without opening them for a blocking read (lstat, then O_NOFOLLOW|O_NONBLOCK and fstat), and at
    most `limit + 1` bytes are read, so `/dev/zero` or a 4 GB file costs nothing."""
    shown = shown or str(path)
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise YamlFileError(Problem(shown, 1, 1, "", f"cannot read the file: {exc.strerror}")) from None
    _require_regular(info.st_mode, shown)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise YamlFileError(Problem(shown, 1, 1, "", f"cannot read the file: {exc.strerror}; it must be a "
                                    "regular file")) from None
    try:
        _require_regular(os.fstat(descriptor).st_mode, shown)  # it may have been swapped since the lstat
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise YamlFileError(Problem(shown, 1, 1, "", f"cannot read the file: {exc.strerror}")) from None
    finally:
        os.close(descriptor)
    raw = b"".join(chunks)
    check_size(raw, shown, limit)
    return raw


def _require_regular(mode: int, shown: str) -> None:
    if stat.S_ISLNK(mode):
        raise YamlFileError(Problem(shown, 1, 1, "", "the file is a symbolic link, which is not read: tenant and "
                                    "settings files must be regular files; replace the link by the file itself"))
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else \
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else \
            "not a regular file"
        raise YamlFileError(Problem(shown, 1, 1, "", f"the file is {kind}, which is not read: tenant and settings "
                                    "files must be regular files; remove it or replace it by a regular file"))


def check_size(raw: bytes, shown: str, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse content over the size limit (files from disk and from git alike), before any parsing."""
    if len(raw) > limit:
        raise YamlFileError(Problem(shown, 1, 1, "", f"the file is larger than {limit // 1024} KiB, the limit for "
                                    "tenant and settings files: shorten it (a tenant file is usually about 1 KiB)"))


def read_document(path: Path, display_path: str | None = None) -> YamlDocument:
    """Read (bounded, regular files only) and parse a YAML file; problems become a YamlFileError."""
    shown = display_path or str(path)
    return parse_bytes(read_bounded(path, shown), shown)


def parse_bytes(raw: bytes, path: str) -> YamlDocument:
    """Check the size, decode UTF-8 (pointing at the first bad byte) and parse."""
    check_size(raw, path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlFileError(Problem(path, line, column, "", f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                    "save it as UTF-8")) from None
    return parse_text(text, path)
