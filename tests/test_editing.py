"""Round-trip edits: `tenantctl set`, `add-env`, `add-volume` keep every line the human wrote, or write nothing."""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from typer.testing import CliRunner

from tenantctl.cli.app import app
from tenantctl.selfservice.editing import (
    EditError,
    TextStyle,
    dump,
    parse_field_path,
    parse_value,
    preserve_formatting,
    set_field,
    write_atomically,
    yaml_for,
)
from tests.conftest import FIXTURE

runner = CliRunner()

# Hand-written, commented and oddly formatted (4-space indents, list items at the key's column, flow mappings,
# a blank-line gap, quotes of both kinds) -- but valid.
MESSY = """\
# yaml-language-server: $schema=../schema/tenant.schema.json
# Hand-written by the team; please keep our notes.
name: messy
description: "Messy but valid"    # quoted on purpose
owner:
    team: 'Team Messy'
    contact: messy@example.org
    cost_center: MES-1


data_classification: BBN1
access: {admin: ["github:messy-admins"], view: [auditors]}
environments:
    # the test namespace
    test:
        cpu: "500m"      # half a core
        memory: 1Gi
        storage:
        -   name: data   # odd list style
            size: 5Gi
    prod:
        production: true
        cpu: 2
        memory: 2Gi
        backups: {per_day: 2, retention_days: 14}
"""

# What ruamel alone would rewrite: `---`, a comment above it, spaces after colons, trailing spaces, flow lists
# without spaces, a flow list over two lines, `...` at the end.
UGLY = """\
# our notes, above the document marker
---
name:   ugly
description: Ugly but valid<trailing spaces>
owner: {team: Ugly,contact: ugly@example.org, cost_center: U-1}
data_classification:  BBN1
access:
  view: [a,
         b]
environments:
  test:
    cpu:   1
    memory: 1Gi
...
""".replace("<trailing spaces>", "   ")


@pytest.fixture
def repo(scratch_repo: Path) -> Path:
    (scratch_repo / "tenants/messy.yaml").write_text(MESSY)
    return scratch_repo


def run(repo: Path, *args: str):
    return runner.invoke(app, [*args, "--root", str(repo)])


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """Lines that differ, pairwise; fails if lines were added or removed."""
    return [(old, new) for old, new in zip(before.splitlines(), after.splitlines(), strict=True) if old != new]


def edited(text: str, loc: list[str | int], value: Any) -> str:
    """`text` with one field set, through the same path as the commands."""
    style = TextStyle.of(text)
    yaml = yaml_for(style.normalise(text))
    data = yaml.load(style.normalise(text))
    set_field(data, loc, value)
    return preserve_formatting(yaml, text, data)


# --- round trip without the commands ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted((FIXTURE / "tenants").glob("*.yaml")), ids=lambda path: path.name)
def test_shipped_tenants_round_trip_byte_for_byte(path: Path) -> None:
    text = path.read_text()
    yaml = yaml_for(text)
    assert dump(yaml, yaml.load(text)) == text


def test_the_messy_file_round_trips_with_its_own_indentation() -> None:
    yaml = yaml_for(MESSY)
    assert dump(yaml, yaml.load(MESSY)) == MESSY


@pytest.mark.parametrize(("text", "old", "new"), [
    (UGLY, "    cpu:   1\n", "    cpu: 3\n"),
    (MESSY.replace("\n", "\r\n"), '        cpu: "500m"      # half a core\r\n',
     '        cpu: "3"         # half a core\r\n'),  # the comment keeps its column
    (MESSY.removesuffix("\n"), '        cpu: "500m"      # half a core\n', '        cpu: "3"         # half a core\n'),
], ids=["ugly", "crlf", "no-final-newline"])
def test_what_ruamel_would_rewrite_survives_an_edit(text: str, old: str, new: str) -> None:
    after = edited(text, ["environments", "test", "cpu"], 3)
    assert after == text.replace(old, new)
    assert after != text


def test_an_added_key_goes_before_the_end_marker_and_keeps_the_rest() -> None:
    style = TextStyle.of(UGLY)
    yaml = yaml_for(UGLY)
    data = yaml.load(UGLY)
    data["environments"]["acc"] = CommentedMap(cpu=1, memory="1Gi")
    after = preserve_formatting(yaml, UGLY, data)
    assert after == UGLY.replace("...\n", "  acc:\n    cpu: 1\n    memory: 1Gi\n...\n")
    assert style == TextStyle("\n", True)


def test_crlf_and_missing_final_newline_are_restored() -> None:
    crlf = MESSY.replace("\n", "\r\n")
    after = edited(crlf, ["environments", "prod", "cpu"], 8)
    assert after == crlf.replace("        cpu: 2\r\n", "        cpu: 8\r\n")
    bare = MESSY.removesuffix("\n")
    after = edited(bare, ["environments", "prod", "backups", "per_day"], 4)
    assert after == bare.replace("per_day: 2", "per_day: 4") and not after.endswith("\n")


def _leaves(node: Any, loc: list[str | int]) -> list[list[str | int]]:
    if isinstance(node, CommentedMap):
        return [leaf for key, value in node.items() for leaf in _leaves(value, [*loc, key])]
    if isinstance(node, CommentedSeq):
        return [leaf for index, value in enumerate(node) for leaf in _leaves(value, [*loc, index])]
    return [loc]


LEAVES = _leaves(yaml_for(MESSY).load(MESSY), []) + _leaves(yaml_for(UGLY).load(UGLY), [])


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LEAVES), st.one_of(st.integers(0, 10**6), st.text("abcxyz-_ 0123", min_size=1),
                                            st.booleans()),
       st.sampled_from(["messy", "ugly"]))
def test_setting_any_field_changes_exactly_its_line(loc: list[str | int], value: Any, which: str) -> None:
    text = MESSY if which == "messy" else UGLY
    yaml = yaml_for(text)
    try:
        set_field(yaml.load(text), loc, value)
    except EditError:
        return  # a leaf of the other file
    after = edited(text, loc, value)
    matcher = difflib.SequenceMatcher(None, text.splitlines(True), after.splitlines(True), autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    # at most the one line (or the one flow collection / two-line flow list) that holds the value
    assert all(op[0] == "replace" and op[2] - op[1] <= 2 and op[4] - op[3] == 1 for op in changes), changes
    assert len(changes) <= 1
    node: Any = yaml.load(after)
    old: Any = yaml.load(text)
    for part in loc:
        node, old = node[part], old[part]
    quoted_text = isinstance(old, (SingleQuotedScalarString, DoubleQuotedScalarString)) and not isinstance(value, bool)
    assert node == (str(value) if quoted_text else value)  # text in quotes stays text in quotes


# --- values and paths -------------------------------------------------------------------------------------------

def test_field_paths() -> None:
    assert parse_field_path("environments.prod.storage[0].size") == ["environments", "prod", "storage", 0, "size"]
    assert parse_field_path("access.view[1]") == ["access", "view", 1]
    for bad in ("environments..prod", "[0].size", "environments.prod.", "a[0]b", "", "a[x]"):
        with pytest.raises(EditError, match="cannot read the field path"):
            parse_field_path(bad)


def test_values_are_read_as_yaml() -> None:
    assert parse_value("8") == 8 and isinstance(parse_value("8"), int)
    assert parse_value("500m") == "500m"
    assert parse_value("true") is True
    assert parse_value('"8"') == "8" and isinstance(parse_value('"8"'), str)
    assert list(parse_value("[a, b]")) == ["a", "b"]
    with pytest.raises(EditError, match="cannot read the value"):
        parse_value("[unclosed")


def test_quotes_and_collection_styles_are_kept() -> None:
    after = edited(MESSY, ["environments", "test", "cpu"], "250m")
    assert changed_lines(MESSY, after) == [('        cpu: "500m"      # half a core',
                                            '        cpu: "250m"      # half a core')]
    after = edited(MESSY, ["owner", "team"], "Team Tidy")
    assert changed_lines(MESSY, after) == [("    team: 'Team Messy'", "    team: 'Team Tidy'")]
    yaml = yaml_for(MESSY)
    data = yaml.load(MESSY)
    set_field(data, ["access", "view"], parse_value("- auditors\n- reviewers"), "")
    after = preserve_formatting(yaml, MESSY, data)
    assert 'view: [auditors, reviewers]}' in after  # the flow mapping stays flow


def test_unknown_paths_say_what_exists() -> None:
    data = yaml_for(MESSY).load(MESSY)
    with pytest.raises(EditError, match=r"environments.prdo does not exist in the file: did you mean "
                                        r"environments.prod\?"):
        set_field(data, ["environments", "prdo", "cpu"], 1)
    with pytest.raises(EditError, match=r"environments.test.storage\[3\] does not exist.*has 1 item\(s\)"):
        set_field(data, ["environments", "test", "storage", 3, "size"], "1Gi")
    with pytest.raises(EditError, match="name is a single value"):
        set_field(data, ["name", "first"], "x")


# --- the commands -----------------------------------------------------------------------------------------------

def test_set_keeps_every_untouched_line_byte_identical(repo: Path) -> None:
    result = run(repo, "set", "messy", "environments.prod.cpu", "8")
    assert result.exit_code == 0, result.output
    after = (repo / "tenants/messy.yaml").read_text()
    assert changed_lines(MESSY, after) == [("        cpu: 2", "        cpu: 8")]
    assert "-        cpu: 2\n+        cpu: 8\n" in result.stdout
    assert "cost per year: EUR 438.00 → EUR 1,302.00 (+EUR 864.00)" in result.stdout  # 6 more cores x 12 x 12
    assert "changed " in result.stdout and "tenantctl plan --base main" in result.stdout


def test_set_through_a_list_index_keeps_comments(repo: Path) -> None:
    result = run(repo, "set", "messy", "environments.test.storage[0].size", "20Gi")
    assert result.exit_code == 0, result.output
    after = (repo / "tenants/messy.yaml").read_text()
    assert changed_lines(MESSY, after) == [("            size: 5Gi", "            size: 20Gi")]
    assert "(+EUR 18.00)" in result.stdout  # 15 GiB x 0.10 x 12


def test_lowering_a_quota_shows_a_negative_delta(repo: Path) -> None:
    result = run(repo, "set", "messy", "environments.test.cpu", "100m")
    assert result.exit_code == 0, result.output
    assert 'cpu: "100m"      # half a core' in (repo / "tenants/messy.yaml").read_text()
    assert "(-EUR 57.60)" in result.stdout  # 0.4 cores x 12 x 12


def test_a_change_without_cost_effect_says_so(repo: Path) -> None:
    result = run(repo, "set", "messy", "access.view", "[auditors, reviewers]")
    assert result.exit_code == 0, result.output
    assert "access: {admin: [\"github:messy-admins\"], view: [auditors, reviewers]}" in \
        (repo / "tenants/messy.yaml").read_text()
    assert "cost per year: EUR 438.00 (unchanged)" in result.stdout


def test_setting_the_same_value_writes_nothing(repo: Path) -> None:
    path = repo / "tenants/messy.yaml"
    os.utime(path, (1, 1))
    result = run(repo, "set", "messy", "environments.prod.cpu", "2")
    assert result.exit_code == 0 and "no change" in result.stdout
    assert path.stat().st_mtime == 1 and path.read_text() == MESSY


def test_add_volume_and_add_env_only_add_lines(repo: Path) -> None:
    result = run(repo, "add-volume", "messy", "test", "logs", "1Gi", "--storage-class", "fast-ssd")
    assert result.exit_code == 0, result.output
    assert "+        -   name: logs\n+            size: 1Gi\n+            storage_class: fast-ssd\n" in result.stdout
    result = run(repo, "add-env", "messy", "acc", "--size", "small")
    assert result.exit_code == 0, result.output
    assert "cost per year: EUR 439.20 → EUR 652.20 (+EUR 213.00)" in result.stdout  # small: 144 + 48 + 12 + 9 backups
    after = (repo / "tenants/messy.yaml").read_text()
    kept = [line for line in after.splitlines() if line in MESSY.splitlines()]
    assert kept == MESSY.splitlines()  # every original line is still there, in order
    assert "    acc:\n        cpu: 1" in after  # new lines use the file's own 4-space indentation
    assert run(repo, "validate").exit_code == 0
    rendered = run(repo, "render", "--tenant", "messy").stdout
    assert "name: messy-acc" in rendered and "name: logs" in rendered


def test_add_volume_creates_the_storage_list(repo: Path) -> None:
    result = run(repo, "add-volume", "messy", "prod", "data", "10Gi")
    assert result.exit_code == 0, result.output
    after = (repo / "tenants/messy.yaml").read_text()
    assert after == MESSY + "        storage:\n        -   name: data\n            size: 10Gi\n"


def test_add_env_like_copies_an_environment_with_its_comments(repo: Path) -> None:
    result = run(repo, "add-env", "messy", "acc", "--like", "test", "--backups-per-day", "1")
    assert result.exit_code == 0, result.output
    after = (repo / "tenants/messy.yaml").read_text()
    assert after.startswith(MESSY)
    assert after.endswith('    acc:\n        cpu: "500m"      # half a core\n        memory: 1Gi\n        storage:\n'
                          "        -   name: data   # odd list style\n            size: 5Gi\n")


def test_add_env_like_prod_does_not_copy_the_production_flag(repo: Path) -> None:
    result = run(repo, "add-env", "messy", "acc", "--like", "prod")
    assert result.exit_code == 0, result.output
    after = (repo / "tenants/messy.yaml").read_text()
    assert after.endswith("    acc:\n        cpu: 2\n        memory: 2Gi\n"
                          "        backups: {per_day: 2, retention_days: 14}\n")


def test_add_env_no_backups_only_where_allowed(repo: Path) -> None:
    result = run(repo, "add-env", "messy", "acc", "--no-backups")
    assert result.exit_code == 0, result.output
    assert "backups" not in (repo / "tenants/messy.yaml").read_text().split("    acc:")[1]
    result = run(repo, "add-env", "messy", "live", "--no-backups")
    assert result.exit_code == 0, result.output
    assert "backups kept for live: the platform requires backups for production" in result.stdout
    assert "backups: {per_day: 1, retention_days: 14}" in (repo / "tenants/messy.yaml").read_text().split("live:")[1]


BROKEN = "name: messy\nowner: [unclosed\n"


@pytest.mark.parametrize(("args", "code", "says"), [
    (("set", "messy", "environments.prod.cpu", "1000"), 1, "above the platform limit"),
    (("set", "messy", "environments.prod.memory", "2GB"), 1, "did you mean 2Gi?"),
    (("set", "messy", "environments.uat.cpu", "1"), 1, "environments.uat does not exist"),
    (("set", "messy", "environments.prod.backups", "~"), 1, "backups"),
    (("set", "messy", "environments.prod.cpus", "4"), 1, "cpus"),
    (("set", "messy", "name", "other"), 1, "must equal the file name"),
    (("set", "messy", "description", "[unclosed"), 2, "cannot read the value"),
    (("set", "messy", "environments..cpu", "1"), 2, "cannot read the field path"),
    (("set", "nobody", "name", "x"), 1, "no tenant 'nobody'"),
    (("add-env", "messy", "test"), 1, "already exists"),
    (("add-env", "messy", "acc", "--like", "uat"), 1, "no such environment"),
    (("add-env", "messy", "acc", "--size", "huge"), 2, "use one of small, medium, large"),
    (("add-env", "messy", "Bad_Env"), 1, "not a valid name"),
    (("add-volume", "messy", "test", "data", "1Gi"), 1, "used more than once"),
    (("add-volume", "messy", "test", "x", "1Gi", "--storage-class", "gold"), 1, "storage class"),
    (("add-volume", "messy", "nowhere", "x", "1Gi"), 1, "has no environment 'nowhere'"),
])
def test_failed_edits_leave_the_file_byte_identical(repo: Path, args: tuple[str, ...], code: int, says: str) -> None:
    path = repo / "tenants/messy.yaml"
    before = path.read_bytes()
    result = run(repo, *args)
    assert result.exit_code == code, result.output
    assert says in result.output
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []  # no temp files left


def test_an_invalid_edit_names_file_line_and_field(repo: Path) -> None:
    result = run(repo, "set", "messy", "environments.prod.cpu", "1000")
    assert f"{repo}/tenants/messy.yaml:23:9: environments.prod.cpu: cpu 1000 is above the platform limit" \
        in result.stdout
    assert "+        cpu: 1000" in result.stdout  # the change that was refused
    assert "nothing written" in result.stderr and "is unchanged" in result.stderr


def test_an_edit_that_collides_with_another_tenant_is_refused(repo: Path) -> None:
    (repo / "tenants/messy-acc.yaml").write_text(MESSY.replace("name: messy", "name: messy-acc")
                                                 .replace("    test:", "    web:"))
    before = (repo / "tenants/messy.yaml").read_bytes()
    result = run(repo, "add-env", "messy", "acc-web")
    assert result.exit_code == 1
    assert "namespace 'messy-acc-web' is already created by" in result.stdout
    assert (repo / "tenants/messy.yaml").read_bytes() == before


def test_an_unreadable_file_is_reported_not_edited(repo: Path) -> None:
    path = repo / "tenants/messy.yaml"
    path.write_text(BROKEN)
    result = run(repo, "set", "messy", "name", "messy")
    assert result.exit_code == 1
    assert f"{path}:" in result.stderr and "fix this by hand first" in result.stderr
    assert path.read_text() == BROKEN


def test_an_invalid_file_can_be_repaired_with_set(repo: Path) -> None:
    path = repo / "tenants/messy.yaml"
    path.write_text(MESSY.replace("cpu: 2", "cpu: 2 cores"))
    assert run(repo, "validate").exit_code == 1
    result = run(repo, "set", "messy", "environments.prod.cpu", "2")
    assert result.exit_code == 0, result.output
    assert path.read_text() == MESSY
    assert "cost per year: EUR 438.00\n" in result.stdout  # no before: the file was not valid


def test_write_atomically_keeps_permissions_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("a: 1\n")
    path.chmod(0o640)
    write_atomically(path, "a: 2\r\n")
    assert path.read_bytes() == b"a: 2\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    fresh = tmp_path / "new.yaml"
    write_atomically(fresh, "b: 1\n")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~_umask()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.yaml", "t.yaml"]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
