"""Self-service: `tenantctl new` writes valid commented files; edits keep everything the human wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantctl.cli import app
from tenantctl.editing import EditError, dump, parse_field_path, yaml_for
from tenantctl.workspace import open_workspace

runner = CliRunner()

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


@pytest.fixture
def repo(scratch_repo: Path) -> Path:
    (scratch_repo / "tenants/messy.yaml").write_text(MESSY)
    return scratch_repo


def run(repo: Path, *args: str):
    return runner.invoke(app, [*args, "--root", str(repo)])


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(old, new) for old, new in zip(before.splitlines(), after.splitlines(), strict=True) if old != new]


def test_set_keeps_every_untouched_line_byte_identical(repo: Path) -> None:
    result = run(repo, "set", "messy", "environments.prod.cpu", "8")
    assert result.exit_code == 0, result.stdout
    after = (repo / "tenants/messy.yaml").read_text()
    assert len(after.splitlines()) == len(MESSY.splitlines())
    assert changed_lines(MESSY, after) == [("        cpu: 2", "        cpu: 8")]
    assert "-        cpu: 2\n+        cpu: 8" in result.stdout
    assert "cost per year: EUR 438.00 → EUR 1,302.00 (+EUR 864.00)"  # 6 cores x 12 x 12 in result.stdout


def test_set_through_a_list_index_keeps_comments(repo: Path) -> None:
    result = run(repo, "set", "messy", "environments.test.storage[0].size", "20Gi")
    assert result.exit_code == 0, result.stdout
    after = (repo / "tenants/messy.yaml").read_text()
    assert changed_lines(MESSY, after) == [("            size: 5Gi", "            size: 20Gi")]


def test_add_volume_and_add_env_only_add_lines(repo: Path) -> None:
    assert run(repo, "add-volume", "messy", "test", "logs", "1Gi").exit_code == 0
    assert run(repo, "add-env", "messy", "acc", "--size", "small").exit_code == 0
    after = (repo / "tenants/messy.yaml").read_text()
    kept = [line for line in after.splitlines() if line in MESSY.splitlines()]
    assert kept == MESSY.splitlines()  # every original line is still there, in order
    assert run(repo, "validate").exit_code == 0
    rendered = run(repo, "render", "--tenant", "messy").stdout
    assert "name: messy-acc" in rendered and "name: logs" in rendered


@pytest.mark.parametrize("args", [
    ("set", "messy", "environments.prod.cpu", "1000"),        # above the platform limit
    ("set", "messy", "environments.prod.memory", "2GB"),      # not a quantity
    ("set", "messy", "environments.uat.cpu", "1"),            # no such environment
    ("set", "messy", "environments.prod.backups", "~"),       # production without backups
    ("set", "messy", "name", "other"),                        # name must equal the file name
    ("add-env", "messy", "test"),                             # exists already
    ("add-volume", "messy", "test", "data", "1Gi"),           # duplicate volume name
    ("add-volume", "messy", "nowhere", "x", "1Gi"),           # no such environment
])
def test_failed_edits_leave_the_file_untouched(repo: Path, args: tuple[str, ...]) -> None:
    before = (repo / "tenants/messy.yaml").read_bytes()
    result = run(repo, *args)
    assert result.exit_code in (1, 2)
    assert (repo / "tenants/messy.yaml").read_bytes() == before
    assert "unchanged" in result.stderr or "does not exist" in result.stderr or "already" in result.stderr \
        or "no environment" in result.stderr


def test_an_invalid_edit_names_file_line_and_field(repo: Path) -> None:
    result = run(repo, "set", "messy", "environments.prod.cpu", "1000")
    assert f"{repo}/tenants/messy.yaml:23:9: environments.prod.cpu: cpu 1000 is above the platform limit" \
        in result.stdout


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_new_writes_a_valid_commented_file_for_every_preset(scratch_repo: Path, size: str) -> None:
    result = run(scratch_repo, "new", "amt2", "--team", "Rijks ICT Gilde", "--contact", "amt@example.org",
                 "--cost-center", "RIG-0002", "--size", size, "--admin", "rig-amt2-admins")
    assert result.exit_code == 0, result.stdout + result.stderr
    text = (scratch_repo / "tenants/amt2.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schema/tenant.schema.json\n")
    assert "# BIO security level" in text and "# cores for the whole namespace" in text
    assert run(scratch_repo, "validate").exit_code == 0
    rendered = run(scratch_repo, "render", "--tenant", "amt2").stdout
    assert "name: amt2-test" in rendered and "name: amt2-prod" in rendered
    preset = open_workspace(scratch_repo).settings.presets[size]
    assert f"requests.cpu: '{preset.cpu}'" in rendered


def test_new_without_required_values_never_prompts_off_a_terminal(scratch_repo: Path, monkeypatch) -> None:
    monkeypatch.setattr("typer.prompt", lambda *a, **k: pytest.fail("prompted without a terminal"))
    result = run(scratch_repo, "new", "someone", "--team", "T")
    assert result.exit_code == 2
    assert "missing --contact, --cost-center" in result.stderr
    assert not (scratch_repo / "tenants/someone.yaml").exists()


def test_new_prompts_on_a_terminal(scratch_repo: Path, monkeypatch) -> None:
    answers = iter(["Team Prompt", "prompt@example.org", "PR-1"])
    monkeypatch.setattr("tenantctl.commands.scaffold.interactive", lambda: True)
    monkeypatch.setattr("typer.prompt", lambda *a, **k: next(answers))
    result = run(scratch_repo, "new", "prompted")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "team: Team Prompt" in (scratch_repo / "tenants/prompted.yaml").read_text()


def test_new_refuses_to_overwrite_and_refuses_invalid_names(scratch_repo: Path) -> None:
    before = (scratch_repo / "tenants/amt.yaml").read_bytes()
    common = ["--team", "T", "--contact", "t@example.org", "--cost-center", "C"]
    result = run(scratch_repo, "new", "amt", *common)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert (scratch_repo / "tenants/amt.yaml").read_bytes() == before
    result = run(scratch_repo, "new", "Bad_Name", *common)
    assert result.exit_code == 1 and "not a valid value" in result.stdout
    assert not (scratch_repo / "tenants/Bad_Name.yaml").exists()


def test_indentation_is_detected_per_file() -> None:
    assert dump(yaml_for(MESSY), yaml_for(MESSY).load(MESSY)) == MESSY
    shipped = (Path(__file__).resolve().parent.parent / "tenants/amt.yaml").read_text()
    assert dump(yaml_for(shipped), yaml_for(shipped).load(shipped)) == shipped


def test_field_paths() -> None:
    assert parse_field_path("environments.prod.storage[0].size") == ["environments", "prod", "storage", 0, "size"]
    with pytest.raises(EditError):
        parse_field_path("environments..prod")
