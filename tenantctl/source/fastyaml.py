"""A fast path for reading ordinary tenant files: libyaml's C parser (PyYAML's `CParser`) plus our own builder.

It gives the same data and the same line/column of every key and item as the ruamel round-trip loader in
`tenantctl.source.yaml`, or it gives up: `fast_load` returns None and the caller takes the ruamel path, so every
error message and position stays exactly what ruamel reports. It accepts only what it positively recognises:

- one document, no directives (`%YAML`, `%TAG`), no anchors or aliases, no explicit tags (not even `!`);
- a mapping at the top; keys that are plain or quoted text (a key that YAML reads as a number, a boolean, null or
  the merge key `<<` gives up), never a duplicate key;
- scalars resolved with ruamel's own YAML 1.2 table (`ruamel/yaml/resolver.py`, `implicit_resolvers`): only
  `true`/`false` are booleans, `yes`/`no`/`on`/`off` stay text. Plain decimal integers (at most 18 digits) are
  built here; simple decimal fractions and dates go through ruamel's own constructor; any other number form
  (`0x10`, `0o7`, `1_0`, `1e3`, `.inf`, leading zeros or signs) gives up;
- no block scalars (`|`, `>`), no tabs, carriage returns, Unicode line separators, byte-order marks or characters
  outside YAML's printable set (ruamel's reader has its own rules for those), at most 256 KiB of text and at most
  20 levels of nesting.

Anything libyaml refuses also gives up, so ruamel reports the syntax error in its own words.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import implicit_resolvers
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

try:  # PyYAML built with libyaml; without it every file takes the ruamel path
    from yaml._yaml import CParser
    from yaml.error import YAMLError as PyYamlError
    from yaml.events import (
        DocumentEndEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
        StreamStartEvent,
    )
except ImportError:  # pragma: no cover - PyYAML is a dependency, libyaml normally comes with its wheel
    CParser = None

MAX_TEXT = 256 * 1024
MAX_DEPTH = 20

STR, BOOL, NULL, INT, FLOAT, TIMESTAMP = (f"tag:yaml.org,2002:{name}" for name in
                                          ("str", "bool", "null", "int", "float", "timestamp"))

# ruamel's YAML 1.2 implicit resolvers, by first character, in ruamel's order (ruamel/yaml/resolver.py,
# VersionedResolver.resolve: the first regexp that matches decides the tag; no match means text).
_RESOLVERS: dict[str, list[tuple[str, Any]]] = {}
for _versions, _tag, _regexp, _first in implicit_resolvers:
    if (1, 2) in _versions:
        for _char in _first:
            _RESOLVERS.setdefault(_char, []).append((_tag, _regexp.match))  # the compiled pattern's match


def resolve_plain(value: str) -> str:
    """The tag ruamel gives `value` written as a plain scalar under YAML 1.2 (`tag:yaml.org,2002:str`: text)."""
    for tag, match in _RESOLVERS.get(value[0] if value else "", ()):
        if match(value):
            return tag
    return STR

# Characters every parser agrees on; anything else (tab, CR, NEL, LS/PS, BOM, controls, surrogates) gives up.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_PLAIN_INT = re.compile(r"-?[1-9][0-9]{0,17}")  # ruamel: a plain int (`0`, `007`: ScalarInt with a width)
_DECIMAL = re.compile(r"-?[0-9]{1,18}")
_PLAIN_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class GiveUp(Exception):
    """The fast path does not positively recognise the input: use the ruamel path."""


class Marks:
    """Line and column (0-based) of a mapping or sequence and of each of its keys or items: the part of ruamel's
    `LineCol` (`node.lc`) that `YamlDocument.position` reads."""

    __slots__ = ("col", "line", "positions")

    def __init__(self, line: int, col: int) -> None:
        self.line, self.col = line, col
        self.positions: dict[Any, tuple[int, int]] = {}

    def key(self, key: Any) -> tuple[int, int]:
        return self.positions[key]

    def item(self, index: int) -> tuple[int, int]:
        return self.positions[index]


class Mapping(dict):  # type: ignore[type-arg]
    """A mapping read by the fast path; `lc` holds its positions."""

    __slots__ = ("lc",)
    lc: Marks


class Sequence(list):  # type: ignore[type-arg]
    """A sequence read by the fast path; `lc` holds its positions."""

    __slots__ = ("lc",)
    lc: Marks


def _constructor() -> Any:
    from tenantctl.source.yaml import new_yaml  # the ruamel path's own constructor, for fractions and dates
    return new_yaml().constructor


_ruamel_constructor: Any = None


def _scalar(event: Any) -> Any:  # noqa: PLR0911 - one return per kind of scalar
    if event.anchor is not None or event.tag is not None:
        raise GiveUp
    style, value = event.style, event.value
    if style == '"':
        return DoubleQuotedScalarString(value)
    if style == "'":
        return SingleQuotedScalarString(value)
    if style:  # block scalars: ruamel keeps comments and fold positions on them
        raise GiveUp
    tag = resolve_plain(value)
    if tag == STR:
        return value
    if tag == NULL:
        return None
    if tag == BOOL:
        return _BOOLS[value]
    if tag == INT and _PLAIN_INT.fullmatch(value):
        return int(value)
    if (tag == INT and _DECIMAL.fullmatch(value)) or (tag == FLOAT and _PLAIN_FLOAT.fullmatch(value)) \
            or tag == TIMESTAMP:
        global _ruamel_constructor  # noqa: PLW0603 - built once, only when a file needs it
        if _ruamel_constructor is None:
            _ruamel_constructor = _constructor()
        node = ScalarNode(tag, value, event.start_mark, event.end_mark)
        try:
            return _ruamel_constructor.yaml_constructors[tag](_ruamel_constructor, node)
        except Exception:
            raise GiveUp from None
    raise GiveUp


def fast_load(text: str) -> Mapping | None:
    """The top-level mapping of `text` with positions, or None when the ruamel path must read it."""
    if CParser is None or len(text) > MAX_TEXT or _UNUSUAL.search(text):
        return None
    try:
        return _build(CParser(text))
    except (GiveUp, PyYamlError, RecursionError):
        return None
    except Exception:
        return None


def _build(parser: Any) -> Mapping:  # noqa: PLR0912 - one loop over the events, kept flat for speed
    get = parser.get_event
    if type(get()) is not StreamStartEvent:
        raise GiveUp
    start = get()
    if type(start) is not DocumentStartEvent or start.version is not None or start.tags:
        raise GiveUp
    root = get()
    if type(root) is not MappingStartEvent:
        raise GiveUp
    # Each open container: (container, its Marks, pending key for mappings or None).
    stack: list[list[Any]] = []
    result: Mapping | None = None
    event: Any = root
    while True:
        kind = type(event)
        if kind is ScalarEvent:
            top = stack[-1]
            container = top[0]
            if top[2] is _NO_KEY and type(container) is Mapping:  # a key
                key = _scalar(event)
                if not isinstance(key, str) or key in container:
                    raise GiveUp
                top[2] = key
                top[1].positions[key] = (event.start_mark.line, event.start_mark.column)
            else:
                _add(top, _scalar(event), event.start_mark)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                raise GiveUp
            if stack and stack[-1][2] is _NO_KEY and type(stack[-1][0]) is Mapping:
                raise GiveUp  # a mapping or sequence as a key
            mark = event.start_mark
            child: Any = Mapping() if kind is MappingStartEvent else Sequence()
            child.lc = Marks(mark.line, mark.column)
            if stack:
                _add(stack[-1], child, mark)
            stack.append([child, child.lc, _NO_KEY])
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            done = stack.pop()
            if not stack:
                result = done[0]
                break
        else:  # aliases, or anything else
            raise GiveUp
        event = get()
    if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
        raise GiveUp  # a second document: ruamel refuses it
    return result


_NO_KEY = object()


def _add(top: list[Any], value: Any, mark: Any) -> None:
    container = top[0]
    if type(container) is Mapping:
        container[top[2]] = value
        top[2] = _NO_KEY
    else:
        top[1].positions[len(container)] = (mark.line, mark.column)
        container.append(value)


__all__ = ["Mapping", "Marks", "Sequence", "fast_load"]
