"""Hostile arguments to the editing commands (`tenantctl set/add-env/add-volume/new`): refused with one clear
line, and nothing written anywhere (not in tenants/, not outside the repository, no link replaced)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.support import assert_clean, run_cli, snapshot

NAMES = ["../../outside", "../amt", "amt/../amt", "/etc/passwd", "AMT", "amt.yaml", "-rf", "a" * 64, "", "amt\n",
         "..", "."]
# A NUL byte cannot be passed in a process argument: test_a_nul_byte_in_a_tenant_name_is_a_usage_error covers it.


@pytest.mark.parametrize("name", NAMES, ids=repr)
@pytest.mark.parametrize("command", [["set", "{name}", "description", "x"], ["add-env", "{name}", "qa"],
                                     ["add-volume", "{name}", "test", "data2", "1Gi"], ["new", "{name}"]])
def test_tenant_names_are_checked_before_any_path_is_built(command: list[str], name: str, scratch_repo: Path) -> None:
    outside = scratch_repo.parent / "outside.yaml"
    before = snapshot(scratch_repo.parent)
    run = run_cli(scratch_repo, *[part.format(name=name) for part in command], timeout=30)
    assert_clean(run)
    assert run.code != 0
    assert snapshot(scratch_repo.parent) == before and not outside.exists()


def test_a_nul_byte_in_a_tenant_name_is_a_usage_error(scratch_repo: Path) -> None:
    from tenantctl.checks.workspace import open_workspace
    from tenantctl.source.errors import UsageError
    with pytest.raises(UsageError, match="not a DNS label"):
        open_workspace(scratch_repo).tenant_path("amt\x00")


def test_an_edit_of_a_symlinked_tenant_file_is_refused_and_the_link_stays(scratch_repo: Path) -> None:
    target = scratch_repo.parent / "elsewhere.yaml"
    target.write_bytes((scratch_repo / "tenants/amt.yaml").read_bytes().replace(b"name: amt", b"name: linked"))
    (scratch_repo / "tenants/linked.yaml").symlink_to(target)
    before = snapshot(scratch_repo.parent)
    run = run_cli(scratch_repo, "set", "linked", "description", "changed", timeout=30)
    assert_clean(run)
    assert run.code == 1 and "symbolic link" in run.output
    assert snapshot(scratch_repo.parent) == before
    assert os.path.islink(scratch_repo / "tenants/linked.yaml")


def test_an_edit_next_to_a_fifo_neither_hangs_nor_writes_it(scratch_repo: Path) -> None:
    os.mkfifo(scratch_repo / "tenants/pipe.yaml")
    run = run_cli(scratch_repo, "set", "amt", "description", "Changed by the suite", timeout=30)
    assert_clean(run)
    assert run.code == 0, run.output
    assert b"Changed by the suite" in (scratch_repo / "tenants/amt.yaml").read_bytes()


def test_an_edit_of_a_file_that_uses_aliases_is_refused(scratch_repo: Path) -> None:
    path = scratch_repo / "tenants/amt.yaml"
    text = path.read_text()
    path.write_text(text.replace("environments:", "shared: &size {cpu: 1, memory: 1Gi}\nenvironments:", 1))
    before = snapshot(scratch_repo)
    run = run_cli(scratch_repo, "set", "amt", "description", "x", timeout=30)
    assert_clean(run)
    assert run.code == 1 and "anchor &size is not allowed" in run.output and "fix this by hand first" in run.output
    assert snapshot(scratch_repo) == before


@pytest.mark.parametrize(("value", "words"), [
    ("!!float x", "YAML tag !!float is not allowed"),
    ("!!binary c3lzdGVtOm1hc3RlcnM=", "YAML tag !!binary"),
    ("*shared", "alias *shared is not allowed"),
    ("&a 8", "anchor &a is not allowed"),
    ("9" * 5000, "far too long"),
    ("[" * 2000 + "]" * 2000, "too deeply"),
    ("{<<: {a: 1}}", "merge key"),
    ("\"\\u202Eevil\"", "U+202E"),
    ("system:masters", "built-in group"),
])
def test_hostile_values_for_set_are_refused_and_nothing_is_written(value: str, words: str,
                                                                   scratch_repo: Path) -> None:
    field = "access.admin[0]" if value == "system:masters" else "description"
    before = snapshot(scratch_repo)
    run = run_cli(scratch_repo, "set", "amt", field, value, timeout=30)
    assert_clean(run)
    assert run.code != 0 and words in run.output, run.output
    assert snapshot(scratch_repo) == before
