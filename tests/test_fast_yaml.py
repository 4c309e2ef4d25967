"""The fast YAML path (libyaml) reads exactly what the ruamel path reads, with the same positions, or gives up.

Hypothesis writes documents in many styles (block and flow, quotes, comments, YAML 1.1 booleans, odd numbers,
anchors, tags, duplicates, directives, several documents) and compares the fast path with ruamel on each:
either the data, every Python type and every key/item position are equal, or the fast path returned None and the
file took the ruamel path (so its message and position are ruamel's).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tenantctl.source import yaml as yaml_source
from tenantctl.source.fastyaml import Mapping, fast_load
from tenantctl.source.yaml import YamlFileError, parse_text

FIXTURE = Path(__file__).resolve().parent / "fixtures/repo"
GOLDEN = Path(__file__).resolve().parent / "golden/invalid"
FUZZ = hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shape(node: Any) -> Any:
    """Data, Python types and positions, in one comparable value."""
    if isinstance(node, dict):
        return ("map", node.lc.line, node.lc.col,
                [(type(k).__name__, k, node.lc.key(k), shape(v)) for k, v in node.items()])
    if isinstance(node, list):
        return ("seq", node.lc.line, node.lc.col, [(node.lc.item(i), shape(v)) for i, v in enumerate(node)])
    return (type(node).__name__, repr(node))


def ruamel_only(text: str) -> Any:
    """What the ruamel path makes of `text`: a document's shape, or its problem's text."""
    original = yaml_source.fast_load
    yaml_source.fast_load = lambda _text: None
    try:
        return shape(parse_text(text, "t.yaml").data)
    except YamlFileError as exc:
        return exc.problem.text()
    finally:
        yaml_source.fast_load = original


def agrees(text: str) -> bool:
    """True if the fast path read `text` (and then it read it exactly as ruamel does)."""
    fast = fast_load(text)
    if fast is None:
        return False
    assert shape(fast) == ruamel_only(text), text
    return True


def test_fixture_tenants_take_the_fast_path_and_agree() -> None:
    files = sorted((FIXTURE / "tenants").glob("*.yaml"))
    assert files
    for path in files:
        assert agrees(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.yaml")), ids=lambda path: path.stem)
def test_golden_cases_agree_or_fall_back(path: Path) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return  # decoding happens before either path
    agrees(text)


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",                      # anchors and aliases
    "a: {<<: {b: 1}}\n",                     # merge key
    "a: !!str 1\n", "a: !foo x\n", "a: ! x\n",  # tags
    "%YAML 1.1\n---\na: 1\n", "%YAML 1.2\n---\na: 1\n", "%TAG !e! tag:e,2000:\n---\na: 1\n",
    "a: 1\n---\nb: 2\n",                     # two documents
    "a: 1\na: 2\n",                          # duplicate key
    "1: a\n", "true: a\n", "null: a\n", "~: a\n", "[a]: b\n", "? {a: 1}\n: b\n",  # keys that are not text
    "a: 0x10\n", "a: 1_0\n", "a: 1e3\n", "a: 0o7\n", "a: .inf\n", "a: +5\n",      # unusual numbers
    "a: |\n  x\n", "a: >\n  x\n",           # block scalars
    "a:\tb\n", "a: b\r\n", "a: b\u2028c\n", "\ufeffa: b\n", "a: b\x85\n", "a: \x07\n",  # unusual characters
    "- a\n", "just text\n", "", "# only a comment\n",  # not a mapping
    "a: [1, 2\n", "a: b: c\n", "a:\n  - b\n c: d\n",  # syntax errors
    "a: " + "[" * 30 + "]" * 30 + "\n",     # deep nesting
    "a: " + "x" * (300 * 1024) + "\n",      # larger than the per-file limit
])
def test_unusual_input_takes_the_ruamel_path(text: str) -> None:
    assert fast_load(text) is None


@pytest.mark.parametrize(("text", "value"), [
    ("a: yes\n", "yes"), ("a: no\n", "no"), ("a: on\n", "on"), ("a: off\n", "off"),  # YAML 1.2: text
    ("a: true\n", True), ("a: False\n", False), ("a: 42\n", 42), ("a: -7\n", -7), ("a: ~\n", None),
    ("a:\n", None), ("a: 4Gi\n", "4Gi"), ("a: 2.5\n", 2.5), ("a: 1:00\n", "1:00"), ("a: github:team\n", "github:team"),
])
def test_yaml_1_2_core_scalars(text: str, value: Any) -> None:
    data = fast_load(text)
    assert isinstance(data, Mapping)
    assert data["a"] == value
    assert type(data["a"]) is type(ruamel_only_value(text))
    assert agrees(text)


def ruamel_only_value(text: str) -> Any:
    return YAML(typ="rt").load(text)["a"]


# --- generated documents ------------------------------------------------------------------------------------

PLAIN = st.sampled_from(["x", "prod", "4Gi", "500m", "2", "0", "007", "-3", "2.5", "1.0", "1e3", "0x1F", "1_000",
                         "yes", "No", "on", "OFF", "true", "False", "null", "~", "", "2030-12-31", "2030-02-30",
                         "12:30", "github:team-a", "a b", "a #b", "-x", ".5", ".inf", "<<", "é", "日本", "x" * 70,
                         "123456789012345678901234", "@x", "%x", "a: b", "- a", "[a]", "{a}", "a,b", "'q'", "\"q\""])
KEYS = st.sampled_from(["name", "cpu", "memory", "a", "b", "github:x", "2024", "true", "no", "", "a b", "<<", "é",
                        "~", "k-" * 3])


ORDINARY = st.sampled_from(["x", "prod", "4Gi", "500m", "2", "0", "007", "-3", "2.5", "yes", "No", "true", "null",
                            "~", "2030-12-31", "2030-02-30", "12:30", "a b", "é", "日本", "x" * 70, "github:team-a"])
ORDINARY_KEYS = st.sampled_from(["name", "cpu", "memory", "a", "b", "no", "a b", "é", "k-k-k"])


@st.composite
def scalar(draw: Any, key: bool = False, ordinary: bool = False) -> str:
    value = draw((ORDINARY_KEYS if key else ORDINARY) if ordinary else (KEYS if key else PLAIN))
    quote = draw(st.sampled_from(["plain", "plain", "plain", "single", "double"]))
    if quote == "single":
        return "'" + value.replace("'", "''") + "'"
    if quote == "double":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def tree(depth: int, ordinary: bool = False) -> Any:
    if depth == 0:
        return scalar(ordinary=ordinary)
    child = tree(depth - 1, ordinary)
    pairs = st.tuples(scalar(key=True, ordinary=ordinary), child)
    return st.one_of(scalar(ordinary=ordinary), st.lists(child, max_size=3),
                     st.lists(pairs, max_size=4, unique_by=lambda pair: pair[0].strip("'\"")) if ordinary
                     else st.lists(pairs, max_size=4))


def render(node: Any, indent: int, draw: Any, flow: bool = False) -> str:
    """YAML text for a generated node, choosing block or flow style and comments as it goes."""
    if isinstance(node, str):
        return node
    is_map = bool(node) and isinstance(node[0], tuple)
    if flow or not node:
        if is_map:
            return "{" + ", ".join(f"{k}: {render(v, 0, draw, True)}" for k, v in node) + "}"
        return "[" + ", ".join(render(v, 0, draw, True) for v in node) + "]"
    pad = " " * indent
    lines = []
    for item in node:
        comment = draw(st.sampled_from(["", "", "  # note"]))
        key, value = item if is_map else ("-", item)
        head = f"{pad}{key}:" if is_map else f"{pad}-"
        if isinstance(value, list) and value and draw(st.booleans()):
            lines.append(f"{head}{comment}\n{render(value, indent + 2, draw)}")
        else:
            lines.append(f"{head} {render(value, indent + 2, draw, flow=True)}{comment}\n")
    return "".join(lines)


@st.composite
def documents(draw: Any) -> str:
    top = draw(st.lists(st.tuples(scalar(key=True), tree(3)), min_size=1, max_size=5))
    text = render(top, 0, draw) if top else "{}"
    prefix = draw(st.sampled_from(["", "", "# header\n", "---\n", "%YAML 1.2\n---\n"]))
    suffix = draw(st.sampled_from(["", "", "...\n", "---\nb: 1\n", "# end\n"]))
    return prefix + text + suffix


@FUZZ
@given(text=documents())
def test_generated_documents_agree_or_fall_back(text: str) -> None:
    agrees(text)


@st.composite
def ordinary_documents(draw: Any) -> str:
    pairs = st.tuples(scalar(key=True, ordinary=True), tree(3, ordinary=True))
    top = draw(st.lists(pairs, min_size=1, max_size=5, unique_by=lambda pair: pair[0].strip("'\"")))
    return draw(st.sampled_from(["", "# header\n", "---\n"])) + render(top, 0, draw)


@FUZZ
@given(text=ordinary_documents())
def test_ordinary_documents_take_the_fast_path_and_agree(text: str) -> None:
    assert agrees(text), text


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("ab1:- \n[]{},'\"#&*!|>%@?.~é\t")), max_size=80))
def test_yaml_like_text_agrees_or_falls_back(text: str) -> None:
    agrees(text)


@FUZZ
@given(data=st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                                   st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10)),
                         lambda children: st.one_of(st.lists(children, max_size=3),
                                                    st.dictionaries(st.text(max_size=6), children, max_size=4)),
                         max_leaves=20))
def test_documents_dumped_by_ruamel_agree_or_fall_back(data: Any) -> None:
    buffer = io.StringIO()
    YAML(typ="rt").dump({"root": data}, buffer)
    agrees(buffer.getvalue())
