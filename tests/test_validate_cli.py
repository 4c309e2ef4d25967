"""`tenantctl validate` as people and CI run it: exit codes, formats, one pass over everything."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tenantctl.cli.app import app
from tests.conftest import FIXTURE

runner = CliRunner()


def test_shipped_tenants_are_valid() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.stdout
    assert "3 tenant file(s) checked: 0 invalid, 0 problem(s)" in result.stdout


def test_all_problems_of_all_files_in_one_pass(scratch_repo: Path) -> None:
    (scratch_repo / "tenants/bad-one.yaml").write_text("name: bad-one\nfoo: 1\n")
    (scratch_repo / "tenants/bad-two.yaml").write_bytes(b"\xff\xfe")
    result = runner.invoke(app, ["validate", "--root", str(scratch_repo)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{scratch_repo}/tenants/bad-one.yaml:2:1: foo: unknown field 'foo'") for line in lines)
    assert sum("bad-one.yaml:1:1:" in line and "required field" in line for line in lines) == 4
    assert any(line.startswith(f"{scratch_repo}/tenants/bad-two.yaml:1:1:") and "not UTF-8" in line for line in lines)
    assert lines[-1] == "5 tenant file(s) checked: 2 invalid, 6 problem(s)"


def test_github_annotations(scratch_repo: Path) -> None:
    path = scratch_repo / "tenants/amt.yaml"
    path.write_text(path.read_text().replace("memory: 4Gi", "memory: 4GB", 1))
    result = runner.invoke(app, ["validate", "--root", str(scratch_repo), "--format", "github"])
    assert result.exit_code == 1
    assert (f"::error file={path},line=17,col=5,title=environments.test.memory::environments.test.memory: "
            "'4GB' is not a Kubernetes quantity; did you mean 4Gi?") in result.stdout.splitlines()


def test_json_is_machine_readable(scratch_repo: Path) -> None:
    path = scratch_repo / "tenants/amt.yaml"
    path.write_text(path.read_text().replace("cost_center: RIG-0001", "cost_centre: RIG-0001"))
    result = runner.invoke(app, ["validate", "--root", str(scratch_repo), "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert {(p["field"], p["line"], p["severity"]) for p in problems} == {
        ("owner.cost_center", 4, "error"), ("owner.cost_centre", 7, "error")}


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["validate", "no/such/file.yaml"]).exit_code == 2
    assert runner.invoke(app, ["validate", "--format", "xml"]).exit_code == 2


def test_an_invalid_settings_file_is_reported_like_a_tenant(scratch_repo: Path) -> None:
    settings = scratch_repo / "platform/settings.yaml"
    settings.write_text(settings.read_text().replace("default_cluster: cluster-a", "default_cluster: cluster-z"))
    result = runner.invoke(app, ["validate", "--root", str(scratch_repo)])
    assert result.exit_code == 1
    assert "platform/settings.yaml:6:1: default_cluster" in result.stderr and "cluster-z" in result.stderr


def test_shipped_tenants_carry_the_schema_header() -> None:
    for path in (FIXTURE / "tenants").glob("*.yaml"):
        assert path.read_text().startswith("# yaml-language-server: $schema=../schema/tenant.schema.json\n"), path


def test_explicit_paths_are_checked_alone(scratch_repo: Path) -> None:
    (scratch_repo / "tenants/bad.yaml").write_text("name: bad\n")
    good = runner.invoke(app, ["validate", "--root", str(scratch_repo), str(scratch_repo / "tenants/amt.yaml")])
    assert good.exit_code == 0 and "1 tenant file(s) checked: 0 invalid" in good.stdout
    assert runner.invoke(app, ["validate", "--root", str(scratch_repo)]).exit_code == 1


def test_hostile_files_are_problems_not_tracebacks(scratch_repo: Path) -> None:
    tenants = scratch_repo / "tenants"
    (tenants / "deep.yaml").write_text("a: " + "[" * 400 + "]" * 400 + "\n")
    (tenants / "huge.yaml").write_text("name: huge\ncount: 1" + "0" * 5000 + "\n")
    (tenants / "tagged.yaml").write_text("name: !!python/object:os.system tagged\n")
    (tenants / "control.yaml").write_bytes(b"name: control\ndescription: bell\x07\n")
    (tenants / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + (tenants / "sandbox.yaml").read_bytes().replace(
        b"name: sandbox", b"name: bom").replace(b"\n", b"\r\n"))
    result = runner.invoke(app, ["validate", "--root", str(scratch_repo), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    found = {Path(p["path"]).name: (p["line"], p["column"], p["message"]) for p in json.loads(result.stdout)}
    assert "bom.yaml" not in found  # a byte-order mark and CRLF line ends are fine
    assert found["deep.yaml"][2].startswith("the file nests lists or mappings too deeply")
    assert found["huge.yaml"][:2] == (2, 8) and "far too long" in found["huge.yaml"][2]
    assert found["tagged.yaml"][:2] == (1, 7) and "YAML tag" in found["tagged.yaml"][2]
    assert found["control.yaml"][:2] == (2, 18) and "U+0007" in found["control.yaml"][2]


def test_github_annotation_properties_are_escaped(scratch_repo: Path) -> None:
    path = scratch_repo / "tenants/amt.yaml"
    path.write_text(path.read_text() + "'odd,key: 100%': 1\n")
    result = runner.invoke(app, ["validate", "--root", str(scratch_repo), "--format", "github"])
    [line] = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert ",title='odd%2Ckey%3A 100%25'::" in line
    assert "::'odd,key: 100%25': unknown field 'odd,key: 100%25': remove it or fix the spelling" in line


def test_approval_is_a_warning_not_a_failure(scratch_repo: Path) -> None:
    path = scratch_repo / "tenants/amt.yaml"
    path.write_text(path.read_text().replace("data_classification: BBN2", "data_classification: BBN3"))
    result = runner.invoke(app, ["validate", "--root", str(scratch_repo), "--format", "github"])
    assert result.exit_code == 0
    assert f"::warning file={path},line=2,col=1,title=needs platform approval::data classification BBN3 needs " \
        "platform and security approval" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].endswith(f"needs platform approval: {path}")
