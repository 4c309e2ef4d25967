"""Edit tenant files safely: ruamel.yaml round-trip, validated before writing, written atomically.

Comments, key order, quoting and indentation stay as the human left them: the edit is made on the
round-trip data, and then only the lines the edit touched are taken from ruamel's output; every other line is
copied from the file byte for byte (so spacing ruamel would normalise, `---`, CRLF line ends and a missing final
newline survive too). A failed edit writes nothing.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString, SingleQuotedScalarString

from tenantctl.checks.loading import load_fleet, load_tenant, tenant_files
from tenantctl.checks.workspace import Workspace
from tenantctl.review.cost import tenant_cost
from tenantctl.source.errors import UserError
from tenantctl.source.problems import Problem, errors
from tenantctl.source.yaml import YamlFileError, field_path, new_yaml, parse_bytes, read_bounded

# (mapping, sequence, offset) indentations tried in turn; the one that reproduces most lines of the file is kept,
# so lines an edit adds are indented like the rest of the file.
INDENT_STYLES = ((2, 4, 2), (2, 2, 0), (2, 2, 2), (4, 4, 2), (4, 6, 4), (4, 4, 0), (4, 2, 0), (3, 3, 0))
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_QUOTED = (SingleQuotedScalarString, DoubleQuotedScalarString)


class EditError(UserError):
    """The edit cannot be applied (unreadable file, unknown path, wrong kind of node); nothing was written."""


@dataclass
class EditResult:
    """What an edit would do: the text before and after, its problems and the yearly cost before and after."""

    path: Path
    before: str
    after: str
    problems: list[Problem] = field(default_factory=list)
    cost_before: Decimal | None = None
    cost_after: Decimal | None = None

    @property
    def ok(self) -> bool:
        return not errors(self.problems)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff; a new file is shown against /dev/null."""
        before_name = f"{self.path} (before)" if self.before else "/dev/null"
        return "".join(difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True),
                                            fromfile=before_name, tofile=str(self.path)))


# --- reading and writing YAML text ------------------------------------------------------------------------------

def yaml_for(text: str) -> YAML:
    """A round-trip YAML whose indentation reproduces `text` best (exactly, where any style does)."""
    best, best_score = _configured(*INDENT_STYLES[0]), -1
    lines = text.splitlines()
    for style in INDENT_STYLES:
        yaml = _configured(*style)
        output = dump(yaml, yaml.load(text))
        if output == text:
            return yaml
        score = sum(block.size for block in
                    difflib.SequenceMatcher(None, lines, output.splitlines(), autojunk=False).get_matching_blocks())
        if score > best_score:
            best, best_score = yaml, score
    return best


def _configured(mapping: int, sequence: int, offset: int) -> YAML:
    yaml = new_yaml()
    yaml.width = 4096  # never re-wrap long lines
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def dump(yaml: YAML, data: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class TextStyle:
    """Line ends and final newline of a file, restored after editing its LF-normalised text."""

    newline: str = "\n"
    final_newline: bool = True

    @classmethod
    def of(cls, text: str) -> TextStyle:
        return cls("\r\n" if "\r\n" in text else "\n", text.endswith("\n") or not text)

    def normalise(self, text: str) -> str:
        text = text.replace("\r\n", "\n")
        return text if text.endswith("\n") or not text else text + "\n"

    def restore(self, text: str) -> str:
        if not self.final_newline:
            text = text.removesuffix("\n")
        return text.replace("\n", self.newline) if self.newline != "\n" else text


def keep_untouched_lines(original: str, noop: str, edited: str) -> str:
    """`edited` with every line the edit did not touch copied from `original`.

    `noop` is ruamel's dump of `original` unchanged and `edited` its dump after the edit. Lines of `original`
    are paired with the lines of `noop` they became (ruamel may respace them, or drop a `---`); a group of
    paired lines the edit left alone is copied verbatim, a touched group is taken from `edited`.
    """
    old, same, new = original.splitlines(True), noop.splitlines(True), edited.splitlines(True)
    chunks: list[tuple[int, int, int, int]] = []  # (old start, old end, noop start, noop end), in file order
    matcher = difflib.SequenceMatcher(None, [_shape(line) for line in old], [_shape(line) for line in same],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            chunks.extend((i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1))
        else:
            chunks.append((i1, i2, j1, j2))
    chunk_of = {j: index for index, (_, _, j1, j2) in enumerate(chunks) for j in range(j1, j2)}
    touched: set[int] = set()
    sources: list[tuple[int, int | None]] = []  # per edited line: (chunk to place it at, noop line or None)
    for tag, j1, j2, k1, k2 in difflib.SequenceMatcher(None, same, new, autojunk=False).get_opcodes():
        if tag == "equal":
            sources.extend((chunk_of[j], j) for j in range(j1, j2))
            continue
        touched.update(chunk_of[j] for j in range(j1, j2))
        if j1 == j2 and 0 < j1 < len(same) and chunk_of[j1 - 1] == chunk_of[j1]:
            touched.add(chunk_of[j1])  # an insertion inside a multi-line group
        place = chunk_of[j1] if j1 < j2 else (chunk_of[j1 - 1] + 1 if j1 > 0 else 0)
        sources.extend((place, None) for _ in range(k1, k2))
    output: list[str] = []
    done = 0  # chunks before this index are placed

    def place_up_to(index: int) -> None:
        nonlocal done
        for chunk in range(done, index):
            i1, i2, j1, j2 = chunks[chunk]
            if j1 == j2 or chunk not in touched:  # lines ruamel dropped (`---`), or untouched lines
                output.extend(old[i1:i2])
        done = max(done, index)

    if same:
        place_up_to(chunk_of[0])
    for line, (place, j) in zip(new, sources, strict=True):
        if j is not None and place not in touched:
            place_up_to(place + 1)  # copies the original lines of this group once
        else:
            place_up_to(place)
            output.append(line)
    place_up_to(len(chunks))
    return "".join(output)


def _shape(line: str) -> str:
    """A line without its whitespace: how a line of the file is recognised in ruamel's respaced output."""
    return "".join(line.split())


def plain(node: Any) -> Any:
    """Round-trip data as plain values, mappings as (key, value) lists so that key order counts."""
    if isinstance(node, dict):
        return [(plain(key), plain(value)) for key, value in node.items()]
    if isinstance(node, list):
        return [plain(item) for item in node]
    return str(node) if isinstance(node, ScalarString) else node


def preserve_formatting(yaml: YAML, original: str, edited_data: Any) -> str:
    """Dump the edited data, keeping the original's untouched lines; plain ruamel output if the merge is unsafe."""
    style = TextStyle.of(original)
    text = style.normalise(original)
    edited = dump(yaml, edited_data)
    noop = dump(yaml, yaml.load(text))
    merged = edited if noop == text else keep_untouched_lines(text, noop, edited)
    if merged != edited:
        try:
            same = plain(yaml.load(merged)) == plain(yaml.load(edited))
        except YAMLError:
            same = False
        merged = merged if same else edited
    return style.restore(merged)


# --- field paths and values ---------------------------------------------------------------------------------------

def parse_field_path(text: str) -> list[str | int]:
    """`environments.prod.storage[0].size` -> `["environments", "prod", "storage", 0, "size"]`."""
    parts: list[str | int] = []
    position = 0
    for match in _PART.finditer(text):
        separator = text[position:match.start()]
        if separator not in ("", ".") or (separator == "" and match[1] is not None and parts):
            break
        parts.append(match[1] if match[1] is not None else int(match[2]))
        position = match.end()
    if not parts or position != len(text) or not isinstance(parts[0], str):
        raise EditError(f"cannot read the field path {text!r}: write it like environments.prod.cpu or "
                        "environments.prod.storage[0].size")
    return parts


def parse_value(text: str) -> Any:
    """A command-line value read as YAML: `8` is a number, `500m` text, `true` a boolean, `[a, b]` a list.

    Read with the same rules as a file: a tag (`!!float x`), alias, anchor or huge number is refused here."""
    try:
        value = new_yaml().load(text)
    except YAMLError as exc:
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise EditError(f"cannot read the value {text[:80]!r} as YAML ({reason}): quote text, "
                        "e.g. '\"a: b\"'") from None
    return "" if value is None and text.strip() == "" else value


def styled_value(old: Any, new: Any, raw: str) -> Any:
    """`new` written in the style of the value it replaces: quotes kept, block or flow lists and mappings kept."""
    if isinstance(old, _QUOTED) and not isinstance(new, ScalarString):
        if isinstance(new, str):
            return type(old)(new)
        if isinstance(new, (int, float)) and not isinstance(new, bool):
            return type(old)(raw.strip())  # cpu: "4" -> cpu: "8"
    if isinstance(old, (CommentedMap, CommentedSeq)) and isinstance(new, type(old)):
        if old.fa.flow_style():
            new.fa.set_flow_style()
        else:
            new.fa.set_block_style()
    return new


def _child(node: Any, part: str | int, walked: list[str | int]) -> Any:
    if isinstance(node, CommentedMap) and isinstance(part, str) and part in node:
        return node[part]
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    where = field_path(walked) or "the file"
    if isinstance(node, CommentedMap):
        close = difflib.get_close_matches(str(part), [str(key) for key in node], n=1)
        hint = f"did you mean {field_path([*walked, close[0]])}?" if close else \
            f"{where} has: {', '.join(map(str, node)) or 'nothing'}"
        return _missing(field_path([*walked, part]), hint)
    if isinstance(node, CommentedSeq):
        return _missing(field_path([*walked, part]), f"{where} has {len(node)} item(s), numbered from [0]")
    return _missing(field_path([*walked, part]), f"{where} is a single value, not a mapping or list")


def _missing(path: str, hint: str) -> Any:
    raise EditError(f"{path} does not exist in the file: {hint} (new environments: `tenantctl add-env`, new "
                    "volumes: `tenantctl add-volume`)")


def set_field(data: CommentedMap, loc: list[str | int], value: Any, raw: str | None = None) -> None:
    """Set an existing field, or add a key to an existing mapping, keeping the old value's style."""
    node: Any = data
    for depth, part in enumerate(loc[:-1]):
        node = _child(node, part, loc[:depth])
    last = loc[-1]
    if isinstance(node, CommentedMap) and isinstance(last, str):
        node[last] = styled_value(node.get(last), value, raw if raw is not None else str(value))
    elif isinstance(node, CommentedSeq) and isinstance(last, int):
        old = _child(node, last, loc[:-1])
        node[last] = styled_value(old, value, raw if raw is not None else str(value))
    else:
        kind = "a list: use an index like [0]" if isinstance(node, CommentedSeq) else \
            "a mapping: use a field name" if isinstance(node, CommentedMap) else "a single value"
        raise EditError(f"cannot set {field_path(loc)}: {field_path(loc[:-1]) or 'the file'} is {kind}")


# --- validating and costing ------------------------------------------------------------------------------------

def check_text(ws: Workspace, path: Path, text: str) -> list[Problem]:
    """Problems of `text` as the content of `path`, checked together with every other tenant file."""
    others: list[tuple[str, bytes]] = []
    for other in tenant_files([ws.tenants_dir]):
        if other.name == path.name:
            continue
        try:
            others.append((str(other), read_bounded(other)))
        except YamlFileError:
            continue  # an unreadable neighbour is `validate`'s to report; it says nothing about this edit
    fleet = load_fleet([*others, (str(path), text.encode("utf-8"))], ws.settings)
    return [problem for problem in fleet.problems if problem.path == str(path)]


def yearly_cost(ws: Workspace, path: Path, text: str) -> Decimal | None:
    """The tenant's yearly cost, or None when the text is not a valid tenant."""
    loaded, problems = load_tenant(text.encode("utf-8"), str(path), ws.settings)
    if loaded is None or errors(problems):
        return None
    return tenant_cost(loaded.tenant, ws.settings).yearly


# --- the edit itself --------------------------------------------------------------------------------------------

def read_for_edit(path: Path) -> tuple[str, YAML, CommentedMap]:
    """The file's text, a YAML configured like it, and its round-trip data; EditError if it cannot be read."""
    try:
        raw = read_bounded(path)  # a symbolic link, FIFO or device is refused: the edit would replace the link
        parse_bytes(raw, str(path))  # aliases, anchors and tags are refused: an edit never changes a shared value
    except YamlFileError as exc:
        raise EditError(f"{exc.problem.text()}\nfix this by hand first, then repeat the command") from None
    text = raw.decode("utf-8")
    normalised = TextStyle.of(text).normalise(text)
    yaml = yaml_for(normalised)
    return text, yaml, yaml.load(normalised)


def edit_tenant(ws: Workspace, name: str, change: Callable[[CommentedMap], None]) -> EditResult:
    """Apply `change` to the tenant's round-trip data and validate the result; writes nothing."""
    path = ws.tenant_path(name)  # the name is checked before the path is built
    if not path.exists() and not path.is_symlink():
        known = ", ".join(sorted(p.stem for p in tenant_files([ws.tenants_dir])))
        raise EditError(f"no tenant {name!r}: {path} does not exist (tenants: {known or 'none'}); create one with "
                        f"`tenantctl new {name}`")
    before, yaml, data = read_for_edit(path)
    change(data)
    after = preserve_formatting(yaml, before, data)
    return EditResult(path, before, after, check_text(ws, path, after), yearly_cost(ws, path, before),
                      yearly_cost(ws, path, after))


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: the file is never half-written, and keeps its
    permissions (a new file gets the usual ones). A symbolic link is never replaced or followed."""
    if path.is_symlink():
        raise EditError(f"nothing written: {path} is a symbolic link; tenant files must be regular files")
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
