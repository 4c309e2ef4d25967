"""Golden tests of the messages users see: one bad file (or folder) per check, the exact lines expected.

Regenerate after a deliberate wording change with `UPDATE_GOLDEN=1 pytest tests/test_validate_golden.py`,
then read every changed line: each must name the file, line, column, field and what to do.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tenantctl.checks.loading import load_paths
from tests.conftest import REPO

CASES = REPO / "tests/golden/invalid"
CASE_PATHS = sorted(path for path in CASES.iterdir() if path.suffix != ".expected")


@pytest.mark.parametrize("case", CASE_PATHS, ids=lambda path: path.stem)
def test_error_messages_match_the_golden_file(case: Path, settings, monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    fleet = load_paths([case.relative_to(REPO)], settings)
    actual = "".join(problem.text() + "\n" for problem in fleet.problems)
    expected_path = case.with_name(case.name.removesuffix(".yaml") + ".expected")
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")
    assert not fleet.valid, "every golden case is invalid"
    for problem in fleet.problems:
        assert problem.path.startswith("tests/golden/invalid/") and problem.line >= 1 and problem.column >= 1


def test_there_is_a_golden_case_for_every_kind_of_bad_input() -> None:
    names = {path.stem for path in CASE_PATHS}
    assert {"yaml-syntax", "duplicate-key", "empty", "list-not-mapping", "non-utf8", "unknown-field", "wrong-types",
            "missing-fields", "bad-quantities", "name-mismatch", "dns-names", "kube", "over-limits", "storage-class",
            "missing-backups", "contact", "duplicate-namespace", "unknown-cluster", "default", "platform",
            "retain-until-number", "retain-until-impossible", "numbers-as-text", "out-of-range", "no-environments",
            "yaml-tag", "control-character", "too-many", "duplicate-name", "decommission-without-date"} <= names


def test_every_golden_message_is_one_line_naming_a_field_and_what_to_do() -> None:
    """Review aid that also runs: each expected line has the position, and (but for whole-file problems) a field;
    each message carries an instruction, not just a diagnosis."""
    instructions = re.compile(r"\b(add|use|write|remove|rename|choose|shorten|lower|make|fix|save|put|fill|combine|"
                              r"give|run|keep|split|did you mean)\b")
    whole_file = ("the file", "YAML syntax error", "the number starting", "the directive", "… ")
    for expected in CASES.glob("*.expected"):
        for line in expected.read_text(encoding="utf-8").splitlines():
            path, line_no, column, rest = line.split(":", 3)
            assert path.startswith("tests/golden/invalid/") and int(line_no) >= 1 and int(column) >= 1, line
            message = rest.strip()
            if not message.startswith(whole_file):
                field, _, message = message.partition(": ")
                assert field and " " not in field, f"no field in: {line}"
            assert instructions.search(message.lower()), f"no instruction in: {line}"
