"""Golden tests of the messages users see: one bad file (or folder) per check, the exact lines expected.

Regenerate after a deliberate wording change with `UPDATE_GOLDEN=1 pytest tests/test_validate_golden.py`,
then read every changed line: each must name the file, line, column, field and what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tenantctl.validation import load_paths

REPO = Path(__file__).resolve().parent.parent
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
            "missing-backups", "contact", "duplicate-namespace", "unknown-cluster"} <= names
