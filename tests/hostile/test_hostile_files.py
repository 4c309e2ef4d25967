"""Hostile tenant and settings files: each is a clear error at file:line with the field and what to do, never a
traceback, a hang or a write. Cases: tests/hostile/cases.py (the classes of issue 14); worst-case figures:
benchmarks/bench_hostile.py."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tenantctl.checks.loading import MAX_PROBLEMS_PER_FILE, load_paths
from tests.hostile.cases import CASES, Case
from tests.hostile.support import assert_clean, run_cli, snapshot


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.kind}-{case.name}")
def test_each_hostile_file_is_a_clear_error_at_its_line(case: Case, scratch_repo: Path, settings) -> None:
    path = scratch_repo / "tenants" / f"{case.name}.yaml"
    path.write_bytes(case.content())
    started = time.perf_counter()
    fleet = load_paths([path], settings)
    elapsed = time.perf_counter() - started
    assert elapsed < 20, f"{case.name} took {elapsed:.1f}s"
    assert not fleet.valid
    first = fleet.problems[0]
    assert (first.path, first.line, first.field) == (str(path), case.line, case.field), first.text()
    assert case.words in first.message, first.text()
    assert len(fleet.problems) <= MAX_PROBLEMS_PER_FILE + 1
    for problem in fleet.problems:
        assert "\n" not in problem.text() and problem.line >= 1 and problem.column >= 1
        assert len(problem.text()) < 1000, "a message never echoes a huge value"


def test_all_hostile_files_through_the_cli_are_bounded_and_write_nothing(scratch_repo: Path) -> None:
    for case in CASES:
        (scratch_repo / "tenants" / f"{case.name}.yaml").write_bytes(case.content())
    before = snapshot(scratch_repo)
    run = run_cli(scratch_repo, "validate", "--format", "json")
    assert_clean(run)
    assert run.code == 1
    assert run.seconds < 60, f"validate of every hostile case took {run.seconds:.1f}s"
    problems = json.loads(run.stdout)
    for case in CASES:
        mine = [p for p in problems if Path(p["path"]).name == f"{case.name}.yaml"]
        assert mine and (mine[0]["line"], mine[0]["field"]) == (case.line, case.field), (case.name, mine[:1])
    assert snapshot(scratch_repo) == before


def test_problems_per_file_are_capped_with_one_line_saying_how_many_more(scratch_repo: Path, settings) -> None:
    path = scratch_repo / "tenants/many.yaml"
    path.write_bytes(next(case for case in CASES if case.name == "many-keys").content().replace(
        b"name: many-keys", b"name: many"))
    fleet = load_paths([path], settings)
    assert len(fleet.problems) == MAX_PROBLEMS_PER_FILE + 1
    assert fleet.problems[-1].message == (f"… {20_000 - MAX_PROBLEMS_PER_FILE} more problems not shown: fix the ones "
                                          "above and run again")


# --- not regular files ------------------------------------------------------------------------------------------

def _special(kind: str, path: Path, target: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "urandom":
        path.symlink_to("/dev/urandom")
    elif kind == "symlink":
        path.symlink_to(target)
    elif kind == "dangling":
        path.symlink_to(target.parent / "nowhere.yaml")
    elif kind == "directory":
        path.mkdir()


SPECIAL = {"fifo": "FIFO", "zero": "symbolic link", "urandom": "symbolic link", "symlink": "symbolic link",
           "dangling": "symbolic link", "directory": "folder"}


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_tenant_entries_that_are_not_regular_files_are_refused_without_reading(kind: str, scratch_repo: Path) -> None:
    _special(kind, scratch_repo / "tenants/odd.yaml", scratch_repo / "tenants/amt.yaml")
    run = run_cli(scratch_repo, "validate", timeout=30)
    assert_clean(run)
    assert run.code == 1 and run.seconds < 30
    assert "odd.yaml:1:1: " in run.output  # the one rule for both plan sides (tenantctl/source/tree.py)
    assert (SPECIAL | {"fifo": "not a regular file"})[kind] in run.output


@pytest.mark.parametrize("kind", ["fifo", "zero", "symlink", "directory"])
def test_a_settings_file_that_is_not_regular_is_refused(kind: str, scratch_repo: Path) -> None:
    settings_file = scratch_repo / "platform/settings.yaml"
    original = scratch_repo / "platform/original.yaml"
    settings_file.rename(original)
    _special(kind, settings_file, original)
    run = run_cli(scratch_repo, "validate", timeout=30)
    assert_clean(run)
    assert run.code == 1 and run.seconds < 30
    assert "platform/settings.yaml:1:1: the file is" in run.output and SPECIAL[kind] in run.output


# --- hostile settings ---------------------------------------------------------------------------------------------

def _settings(root: Path) -> Path:
    return root / "platform/settings.yaml"


@pytest.mark.parametrize(("change", "words"), [
    (lambda text: text + "bomb0: &b0 [x, x, x, x, x, x, x, x]\nbomb1: &b1 [*b0, *b0, *b0, *b0, *b0, *b0, *b0]\n",
     "anchor &b0 is not allowed"),
    (lambda text: "%YAML 1.1\n---\n" + text, "%YAML 1.1 is not supported"),
    (lambda text: text + "# " + "x" * 300_000 + "\n", "larger than 256 KiB"),
    (lambda text: text.replace("cpu_limit_ratio: 2", "cpu_limit_ratio: !!float 2"), "YAML tag !!float"),
    (lambda text: text.replace("cpu_limit_ratio: 2", "cpu_limit_ratio: true"), "cpu_limit_ratio"),
    (lambda text: text.replace("pods_per_core: 10", "pods_per_core: 1" + "0" * 3000), "far too long"),
])
def test_hostile_settings_are_one_clean_error_for_every_command(change, words: str, scratch_repo: Path) -> None:
    path = _settings(scratch_repo)
    text = path.read_text()
    changed = change(text)
    assert changed != text, "the fixture settings changed: update this test's replacements"
    path.write_text(changed)
    run = run_cli(scratch_repo, "validate", timeout=30)
    assert_clean(run)
    assert run.code == 1 and run.seconds < 30
    assert "platform/settings.yaml:" in run.output and words in run.output, run.output


@pytest.mark.parametrize("what", ["name", "stack", "context"])
def test_settings_clusters_must_differ_in_name_stack_and_context(what: str, scratch_repo: Path) -> None:
    path = _settings(scratch_repo)
    text = path.read_text()
    values = {"name": "cluster-b", "stack": "cluster-b", "context": "cluster-b", what: "cluster-a"}
    second = "".join(f"    {key}: {value}\n" for key, value in values.items()).replace("    name", "  - name")
    anchor = "    description: Example production cluster\n"
    assert anchor in text, "the fixture settings changed: update this test"
    path.write_text(text.replace(anchor, anchor + second, 1))
    run = run_cli(scratch_repo, "validate", timeout=30)
    assert_clean(run)
    assert run.code == 1
    assert f"clusters: cluster {what} 'cluster-a' is used by more than one cluster: give each cluster its own " \
           "name, stack and context" in run.output, run.output


def test_settings_can_reserve_more_namespaces_but_never_fewer(scratch_repo: Path) -> None:
    path = _settings(scratch_repo)
    text = path.read_text()
    start = text.index("reserved_namespaces:")
    end = text.index("\n\n", start)
    path.write_text(text[:start] + "reserved_namespaces: [team-*]" + text[end:])  # drops kube-*, monitoring, ...
    (scratch_repo / "tenants/team.yaml").write_bytes(b"name: team\n" + CASES[0].content().split(b"\n", 1)[1]
                                                     .split(b"a0:")[0])
    (scratch_repo / "tenants/kube.yaml").write_bytes(next(c for c in CASES if c.name == "kube").content())
    run = run_cli(scratch_repo, "validate", timeout=30)
    assert "namespace 'team-test' is reserved for the platform (it matches 'team-*')" in run.output
    assert "namespace 'kube-public' is reserved for the platform (it matches 'kube-*')" in run.output
