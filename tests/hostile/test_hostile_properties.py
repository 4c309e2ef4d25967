"""Property tests (hypothesis): whatever a file or a value holds, loading ends in problems with positions (never an
exception), numbers are exact, hidden characters are always caught, label values are never empty."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tenantctl.checks.loading import MAX_PROBLEMS_PER_FILE, load_tenant
from tenantctl.model.quantity import QuantityError, parse_cpu
from tenantctl.model.text import REFUSED_CATEGORIES, label_value
from tenantctl.source.yaml import YamlFileError, parse_text
from tests.hostile.cases import ENV, HEADER

SETTINGS = hypothesis_settings(max_examples=150, deadline=None,
                               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
VALID = f"name: prop\n{HEADER}{ENV}"
LINES = VALID.splitlines()
# (line index, prefix) of every scalar value in the valid file: a hostile value replaces what follows the prefix.
SLOTS = [(index, line[: line.index(": ") + 2]) for index, line in enumerate(LINES) if ": " in line]

YAML_PIECES = st.sampled_from([
    "&a", "*a", "<<", "!!float", "!!binary", "!!set", "!!omap", "!!python/object:os.system", "!x", "%YAML 1.1",
    "[", "]", "{", "}", ": ", "- ", "? ", "\n", "  ", "#", "'", '"', "|", ">", "1e3", "0x10", "1_0", "9" * 40, "true",
    "no", "~", ".inf", "\u202e", "\u200b", "\x1b", "2030-02-30", "---", "...", "\t",
])
HOSTILE_VALUES = st.one_of(
    # values wrong in every field (`1e3` or `system:masters` would be fine text in a description)
    st.sampled_from(["!!float abc", "!!bool maybe", "*a", "&a 1", "!!binary c3lzdGVt", "9" * 3000, "1." + "0" * 40,
                     "\"\\u202Ex\"", "\"a\\u200Bb\"", "\"\\e[2J\"", "[" * 100 + "]" * 100, "{<<: {a: 1}}",
                     "!!str x", "'" + "x" * 400 + "'"]),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"], exclude_characters="\r\n"),
            min_size=1, max_size=3).map(lambda hidden: '"x' + hidden.encode("unicode_escape").decode() + '"'),
)


@SETTINGS
@given(st.lists(YAML_PIECES | st.text(max_size=8), max_size=40).map("".join))
def test_any_text_is_a_document_or_one_positioned_problem(text: str) -> None:
    try:
        parse_text(text, "f.yaml")
    except YamlFileError as error:
        assert error.problem.line >= 1 and error.problem.column >= 1 and "\n" not in error.problem.text()


@SETTINGS
@given(st.sampled_from(SLOTS), HOSTILE_VALUES)
def test_a_hostile_value_anywhere_is_an_error_never_an_exception(settings, slot, value: str) -> None:
    index, prefix = slot
    lines = list(LINES)
    lines[index] = prefix + value
    text = "\n".join(lines) + "\n"
    _, problems = load_tenant(text.encode("utf-8", "surrogatepass"), "tenants/prop.yaml", settings)
    errors = [problem for problem in problems if problem.severity == "error"]
    assert errors, f"accepted: {prefix + value!r}"
    assert len(problems) <= MAX_PROBLEMS_PER_FILE + 1
    assert all(1 <= problem.line <= len(lines) + 1 and problem.column >= 1 for problem in problems)


@SETTINGS
@given(st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=9), st.booleans())
def test_a_cpu_a_hair_over_the_limit_never_rounds_down(zeros: int, digit: int, millis: bool) -> None:
    text = f"64000.{'0' * zeros}{digit}m" if millis else f"64.{'0' * zeros}{digit}"
    try:
        cores = parse_cpu(text)
    except QuantityError:
        return  # more precise than a millicore, or too long: refused
    assert cores > Decimal(64), text


@SETTINGS
@given(st.text(alphabet="0123456789.mkMGTPEi", max_size=6000))
def test_any_quantity_text_parses_exactly_or_is_a_quantity_error(text: str) -> None:
    try:
        cores = parse_cpu(text)
    except QuantityError:
        return
    assert cores * 1000 == (cores * 1000).to_integral_value()
    assert len(text) <= 26


@SETTINGS
@given(st.text(min_size=1, max_size=20), st.characters(categories=list(REFUSED_CATEGORIES)),
       st.integers(min_value=0, max_value=20))
def test_a_hidden_character_in_a_description_is_always_refused(settings, text: str, hidden: str, at: int) -> None:
    description = text[:at] + hidden + text[at:]
    escaped = description.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    body = VALID.replace("description: Hostile input case", f'description: "{escaped}"')
    _, problems = load_tenant(body.encode(), "tenants/prop.yaml", settings)
    assert any(problem.line == 2 for problem in problems if problem.severity == "error"), (description, problems)


@SETTINGS
@given(st.text(min_size=1, max_size=60))
def test_a_team_is_either_refused_or_a_non_empty_label(settings, team: str) -> None:
    escaped = team.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    body = VALID.replace("team: Team", f'team: "{escaped}"')
    loaded, problems = load_tenant(body.encode(), "tenants/prop.yaml", settings)
    if loaded is not None:
        assert label_value(loaded.tenant.owner.team)
        assert not any(unicodedata.category(c) in REFUSED_CATEGORIES for c in team)
    else:
        assert any(problem.field == "owner.team" for problem in problems), problems
