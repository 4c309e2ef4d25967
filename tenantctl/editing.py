"""Edit tenant files safely: ruamel.yaml round-trip, validated before writing, written atomically.

Comments, key order, quoting and indentation stay as the human left them; a failed edit leaves the file
byte-for-byte unchanged.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tenantctl.cost import tenant_cost
from tenantctl.problems import Problem
from tenantctl.validation import load_fleet, load_tenant
from tenantctl.workspace import Workspace
from tenantctl.yaml_source import new_yaml

# (mapping, sequence, offset) indentations tried in turn; the first that reproduces the file is kept.
INDENT_STYLES = ((2, 4, 2), (2, 2, 0), (2, 2, 2), (4, 4, 2), (4, 6, 4), (4, 4, 0), (4, 2, 0))
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class EditError(Exception):
    """The edit cannot be applied (unknown path, wrong kind of node); nothing was written."""


@dataclass
class EditResult:
    """What an edit did (or would do): the text before and after, its problems and the cost effect."""

    path: Path
    before: str
    after: str
    problems: list[Problem] = field(default_factory=list)
    cost_before: Decimal | None = None
    cost_after: Decimal | None = None

    @property
    def ok(self) -> bool:
        return not any(problem.severity == "error" for problem in self.problems)

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True),
                                            fromfile=f"{self.path} (before)", tofile=f"{self.path} (after)"))


def yaml_for(text: str) -> YAML:
    """A round-trip YAML whose indentation reproduces `text` (first matching style; 2/4/2 otherwise)."""
    for mapping, sequence, offset in INDENT_STYLES:
        yaml = _configured(mapping, sequence, offset)
        if dump(yaml, yaml.load(text)) == text:
            return yaml
    return _configured(*INDENT_STYLES[0])


def _configured(mapping: int, sequence: int, offset: int) -> YAML:
    yaml = new_yaml()
    yaml.width = 4096  # never re-wrap long lines
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def dump(yaml: YAML, data: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def parse_field_path(text: str) -> list[str | int]:
    """`environments.prod.storage[0].size` -> `["environments", "prod", "storage", 0, "size"]`."""
    parts: list[str | int] = []
    position = 0
    for match in _PART.finditer(text):
        if match.start() != position and text[position:match.start()] != ".":
            raise EditError(f"cannot read field path {text!r}: write it like environments.prod.cpu or "
                            "environments.prod.storage[0].size")
        parts.append(match[1] if match[1] is not None else int(match[2]))
        position = match.end()
    if not parts or position != len(text):
        raise EditError(f"cannot read field path {text!r}: write it like environments.prod.cpu")
    return parts


def parse_value(text: str) -> Any:
    """A command-line value as YAML: `8` is a number, `"500m"` a string, `[a, b]` a list."""
    value = new_yaml().load(text)
    return "" if value is None and text.strip() == "" else value


def set_field(data: CommentedMap, loc: list[str | int], value: Any) -> None:
    """Set an existing field, or add a new key to an existing mapping."""
    node: Any = data
    for depth, part in enumerate(loc[:-1]):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            walked = ".".join(map(str, loc[: depth + 1]))
            raise EditError(f"{walked} does not exist in the file: add it first (e.g. `tenantctl add-env`)") from None
    last = loc[-1]
    if isinstance(node, CommentedMap) and isinstance(last, str):
        node[last] = value
    elif isinstance(node, CommentedSeq) and isinstance(last, int) and 0 <= last < len(node):
        node[last] = value
    else:
        raise EditError(f"cannot set {'.'.join(map(str, loc))}: its parent is not a mapping or the index is "
                        "out of range")


def check_text(ws: Workspace, path: Path, text: str) -> list[Problem]:
    """Problems of `text` as the content of `path`, checked together with every other tenant file."""
    others = [(str(other), other.read_bytes()) for other in sorted(ws.tenants_dir.glob("*.yaml"))
              if other.resolve() != path.resolve()]
    fleet = load_fleet([*others, (str(path), text.encode("utf-8"))], ws.settings)
    return [problem for problem in fleet.problems if problem.path == str(path)]


def yearly_cost(ws: Workspace, path: Path, text: str) -> Decimal | None:
    loaded, problems = load_tenant(text.encode("utf-8"), str(path), ws.settings)
    if loaded is None or any(problem.severity == "error" for problem in problems):
        return None
    return tenant_cost(loaded.tenant, ws.settings).yearly


def edit_tenant(ws: Workspace, name: str, change: Callable[[CommentedMap], None]) -> EditResult:
    """Apply `change` to the tenant's parsed file and validate the result; writes nothing."""
    path = ws.tenant_path(name)
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in ws.tenants_dir.glob("*.yaml")))
        raise EditError(f"no tenant {name!r} ({path} does not exist); tenants are: {known}")
    before = path.read_text(encoding="utf-8")
    yaml = yaml_for(before)
    data = yaml.load(before)
    if not isinstance(data, CommentedMap):
        raise EditError(f"{path} does not hold a mapping: fix it first (`tenantctl validate {path}`)")
    change(data)
    after = dump(yaml, data)
    return EditResult(path, before, after, check_text(ws, path, after), yearly_cost(ws, path, before),
                      yearly_cost(ws, path, after))


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so a file is never half-written."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
