"""Property-based tests: no input, however odd, makes the validator crash."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tenantctl.checks.loading import load_tenant
from tenantctl.source.problems import Problem

FAST = hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["4Gi", "500m", "4GB", "BBN2", "prod", "1e3", "no", "~"]))
keys = st.one_of(st.sampled_from(["name", "description", "owner", "team", "contact", "cost_center",
                                  "data_classification", "access", "admin", "environments", "prod", "cpu",
                                  "memory", "storage", "size", "backups", "per_day", "retention_days", "status"]),
                 st.text(min_size=1, max_size=8))
trees = st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=4),
                                                        st.dictionaries(keys, children, max_size=5)), max_leaves=25)


def check(raw: bytes, settings) -> None:
    loaded, problems = load_tenant(raw, "tenants/fuzz.yaml", settings)
    for problem in problems:
        assert isinstance(problem, Problem) and problem.line >= 1 and problem.column >= 1
        assert "\n" not in problem.text() and "\n" not in problem.github(), "one problem, one line"
        assert problem.message and not problem.message.startswith(("Input should", "Value error")), problem
    assert loaded is not None or problems, "an invalid file must say why"


@FAST
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(raw: bytes, settings) -> None:
    check(raw, settings)


@FAST
@given(text=st.text(alphabet=st.sampled_from(list("abc:- \n\t[]{},'\"#&*!|>%@`?0123456789")), max_size=120))
def test_arbitrary_yaml_like_text_never_crashes(text: str, settings) -> None:
    check(text.encode(), settings)


@FAST
@given(tree=trees)
def test_arbitrary_structures_dumped_as_yaml_never_crash(tree, settings) -> None:
    buffer = io.StringIO()
    YAML(typ="safe", pure=True).dump(tree, buffer)
    check(buffer.getvalue().encode(), settings)


def _replace(tree, path: list, value):
    """A copy of `tree` with the node at `path` (indexes taken modulo the sizes met) replaced by `value`."""
    if not path or not isinstance(tree, (dict, list)) or not tree:
        return value
    keys = list(tree) if isinstance(tree, dict) else list(range(len(tree)))
    key = keys[path[0] % len(keys)]
    copy = dict(tree) if isinstance(tree, dict) else list(tree)
    copy[key] = _replace(tree[key], path[1:], value)
    return copy


CANONICAL = YAML(typ="safe", pure=True).load(Path(__file__).resolve().parent.parent / "tenants/amt.yaml")


@FAST
@given(path=st.lists(st.integers(0, 10), min_size=1, max_size=5), value=trees)
def test_a_valid_tenant_with_any_part_replaced_never_crashes(path: list, value, settings) -> None:
    buffer = io.StringIO()
    YAML(typ="safe", pure=True).dump(_replace(CANONICAL, path, value), buffer)
    check(buffer.getvalue().encode(), settings)
