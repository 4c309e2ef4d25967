"""The direct render writer writes exactly the bytes ruamel's safe dumper writes (ruamel stays the reference)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tenantctl.checks.workspace import open_workspace
from tenantctl.objects import manifests
from tenantctl.objects.desired_state import fleet_state, object_key

REPO = Path(__file__).resolve().parent.parent
FUZZ = hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def objects_of(root: Path) -> list[dict[str, Any]]:
    ws = open_workspace(root)
    fleet = ws.load()
    assert fleet.valid
    states = fleet_state([loaded.tenant for loaded in fleet.tenants], ws.settings)
    return sorted((obj for state in states for obj in state.objects), key=object_key)


def test_fixture_fleet_renders_byte_identical(repo_workspace) -> None:
    objects = objects_of(repo_workspace.root)
    assert manifests.to_yaml(objects) == manifests._reference(objects)


def test_generated_fleet_renders_byte_identical_without_ruamel(tmp_path: Path, monkeypatch) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from fleet import make_fleet
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    make_fleet(tmp_path, 40)
    objects = objects_of(tmp_path)
    expected = manifests._reference(objects)
    calls: list[int] = []
    monkeypatch.setattr(manifests, "_ruamel_dump", lambda objs: calls.append(len(objs)) or "")
    assert manifests.to_yaml(objects) == expected
    assert not calls, "every generated object takes the direct writer"


def test_render_command_output_is_unchanged(repo_workspace) -> None:
    golden = (REPO / "tests/golden/render-amt.yaml").read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tenantctl", "render", "--tenant", "amt"], cwd=repo_workspace.root,
                            capture_output=True, text=True, check=True, env={"PYTHONPATH": str(REPO)})
    assert result.stdout == golden


@pytest.mark.parametrize("obj", [
    {"a": 1.5}, {"a": "line\nbreak"}, {"a": "it's"}, {"a": ""}, {"a": [[1]]}, {"k" * 120: 1},
    {"a": "x" * 70 + " it's quoted" + " y" * 10}, {"a": "\t"}, {"a": "é ü"}, {"a": "\u2028"}, {"a": "x\u202ey"},
    {"a\u200b": "x"},
])
def test_unusual_values_fall_back_to_ruamel(obj: dict[str, Any]) -> None:
    assert manifests.to_yaml([obj]) == manifests._reference([obj])


def test_shared_sub_objects_are_written_as_ruamel_writes_them() -> None:
    labels = {"a": "b"}
    objects = [{"metadata": {"labels": labels}, "spec": {"selector": labels}}, {"x": labels}]
    assert manifests.to_yaml(objects) == manifests._reference(objects)


TEXT = st.one_of(
    st.sampled_from(["true", "false", "null", "~", "yes", "no", "8", "0", "007", "1.5", "1e3", "0x1f", "4Gi",
                     "500m", "-", "-x", "a: b", "a #b", "#x", "@x", "`x", "'x'", '"x"', "x'y", "2030-12-31",
                     "github:team-a", "a b", " lead", "trail ", "a  b", "é", "日本", "%x", "!x", "&x", "*x",
                     "{x}", "[x]", "x,y", "?", ":", "--- x", "...", "<<", "\u202eevil", "zero\u200bwidth"]),
    st.text(alphabet=st.sampled_from(list("ab :-#'\"é 0.9/_")), max_size=30),
    st.lists(st.sampled_from(["word", "longerword", "a", "Belastingdienst", "(migrated)", "x" * 30]), min_size=1,
             max_size=25).map(" ".join),
)
KEYS = st.one_of(st.sampled_from(["apiVersion", "kind", "metadata", "tenant-platform/description",
                                  "app.kubernetes.io/managed-by", "requests.cpu", "8", "true", "a b", "k" * 60]),
                 TEXT)
VALUES = st.recursive(
    st.one_of(TEXT, st.integers(-10**6, 10**6), st.booleans(), st.none()),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=15)


@FUZZ
@given(objects=st.lists(st.dictionaries(KEYS, VALUES, min_size=1, max_size=5), min_size=1, max_size=3))
def test_generated_objects_render_byte_identical(objects: list[dict[str, Any]]) -> None:
    assert manifests.to_yaml(objects) == manifests._reference(objects)
