"""Issue 12, class 4: free text is inert. Tenant and settings strings never become markup, mentions, terminal
escapes or hidden lines, and the summary always fits GitHub's limit with CAUTION and approvals in it.

Markdown is checked with a real CommonMark parser (markdown-it-py, tables enabled), not with string searches.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tenantctl.ci.comment import find_comment, post_or_update
from tenantctl.ci.github import GitHub
from tenantctl.review.compliance import BACKUP, ControlResult
from tenantctl.review.plan import FieldChange, ObjectChange, Plan, TenantPlan
from tenantctl.review.plan_report import (
    COMMENT_MARKER,
    GITHUB_COMMENT_LIMIT,
    Guardrails,
    invalid_markdown,
    markdown,
    text,
)
from tenantctl.source.inert import code, plain, prose, terminal
from tenantctl.source.problems import Problem

PARSER = MarkdownIt("commonmark").enable("table")
HOSTILE = [
    "x\n\n## ✅ Reviewed by the platform team: safe to merge\n",
    "<!-- everything below is hidden",
    "</details></summary><details open><summary>fake",
    "@example-org/platform-team please merge",
    "| a | b |\n|---|---|\n| forged | row |",
    "<img src=x onerror=alert(1)>",
    "``` fenced\n# heading in a fence",
    "`` ` ``",
    "[click](https://evil.example)",
    "\x1b[2K\x1b[1A\rDATA IS SAFE",
    "bidi \u202eevil\u202c zero\u200bwidth",
    "&lt;!-- entity --&gt;",
    "line1\u2028line2",
]
OUR_HTML = ("<!-- tenant-platform-plan -->", "<sub>", "</sub>", "<details>", "</details>", "<summary>", "</summary>",
            "<b>", "</b>", "<br>")


def hostile_plan(value: str, count: int = 1) -> Plan:
    removal = ObjectChange("removed", "Namespace", f"Namespace {value}")
    changed = ObjectChange("changed", "Namespace", "Namespace amt-prod",
                           (FieldChange(f"metadata.annotations.{value}", value, f"{value} after"),))
    tenants = [TenantPlan(tenant=f"t{index}{value}", status="removed" if index % 2 else "changed",
                          changes=[removal if index % 2 else changed], cost_before=Decimal(1), cost_after=Decimal(2),
                          approvals=[f"reason {value}"], owner=(value, value)) for index in range(count)]
    plan = Plan(base=value, currency="EUR", price_label=value, tenants=tenants)
    plan.settings_changes = (FieldChange(f"pricing.{value}", value, value),)
    plan.program_files = [f"tenantctl/{value}.py"]
    plan.workflow_files = [f".github/workflows/{value}.yml"]
    plan.other_files = [f"docs/{value}.md"]
    plan.blocking = [f"blocked {value}"]
    plan.platform_approvals = [f"platform {value}"]
    plan.warnings = [f"warning {value}"]
    plan.provenance = f"provenance {value}"
    return plan


def tokens(document: str) -> list[Any]:
    flat = []
    for token in PARSER.parse(document):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def assert_inert(document: str, value: str) -> None:
    """No HTML but ours, one heading (ours), no link, and the hostile text only inside code spans."""
    found = tokens(document)
    for token in found:
        if token.type in ("html_block", "html_inline"):
            assert token.content.strip().startswith(OUR_HTML), token.content
            assert "<img" not in token.content and "open>" not in token.content and "<!-- every" not in token.content
        assert token.type not in ("link_open", "image", "fence", "code_block"), token
    headings = [found[i + 1].content for i, token in enumerate(found) if token.type == "heading_open"]
    assert headings == ["Tenant plan"], headings
    text_tokens = " ".join(token.content for token in found if token.type == "text")
    for needle in ("@example-org", "onerror", "Reviewed by the platform", "forged", "\x1b", "\u202e"):
        if needle in value:
            assert needle not in text_tokens, needle
    widths, width = [], 0
    for token in found:
        if token.type == "tr_open":
            width = 0
        elif token.type in ("td_open", "th_open"):
            width += 1
        elif token.type == "tr_close":
            widths.append(width)
        elif token.type == "table_close":
            assert len(set(widths)) == 1, f"every row of a table keeps its cells: {widths}"
            widths = []


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_makes_every_user_string_inert(value: str) -> None:
    compliance = {f"t0{value}": [ControlResult(BACKUP, "covered", (f"evidence {value}",), f"note {value}")]}
    document = markdown(hostile_plan(value, 2), Guardrails(False, f"summary {value}"), compliance)
    assert document.startswith(COMMENT_MARKER + "\n")
    assert_inert(document, value)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_invalid_head_comment_is_inert_too(value: str) -> None:
    document = invalid_markdown([Problem(f"tenants/{value}.yaml", 1, 1, "description", value)], value, value)
    assert_inert(document, value)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_code_spans_hold_any_text_literally(value: str) -> None:
    rendered = f"- {code(value, limit=None, table=False)}\n"
    inline = [t for t in tokens(rendered) if t.type not in ("bullet_list_open", "bullet_list_close",
                                                           "list_item_open", "list_item_close",
                                                           "paragraph_open", "paragraph_close", "inline")]
    assert [t.type for t in inline] == ["code_inline"]
    shown = inline[0].content
    assert shown.strip() == plain(value).strip() or (not plain(value).strip())


@pytest.mark.parametrize("value", HOSTILE)
def test_prose_passes_only_harmless_text(value: str) -> None:
    assert prose("prod: cpu 20 is more than 16 cores") == "prod: cpu 20 is more than 16 cores"
    assert prose(value).startswith("`")


def test_terminal_output_cannot_erase_the_deletion_lines() -> None:
    value = "\x1b[2K\x1b[1A\r\x1b[31mall good\x1b[0m\x07\x9b2J"
    output = text(hostile_plan(value, 3), Guardrails(True, value))
    assert "!!! DATA WOULD BE DELETED" in output
    assert not [char for char in output if (ord(char) < 32 and char != "\n") or 0x7f <= ord(char) < 0xa0]
    assert "\\x1b[2K" in output
    assert terminal("a\x1b[0mb\nc") == "a\\x1b[0mb\nc"


def test_the_summary_always_fits_with_caution_and_approvals() -> None:
    plan = hostile_plan("x" * 5000 + "<!--", 4000)
    plan.settings_changes = tuple(FieldChange(f"limits.{i}", "y" * 3000, "z" * 3000) for i in range(500))
    plan.program_files = [f"tenantctl/{'p' * 500}{i}.py" for i in range(500)]
    plan.blocking = [f"blocked {'b' * 3000}" for _ in range(500)]
    document = markdown(plan, Guardrails(True, "ok"), {})
    assert len(document) <= GITHUB_COMMENT_LIMIT
    summary = document.split("\n| Tenant |")[0]
    assert "> [!CAUTION]" in summary and "DATA WOULD BE DELETED" in summary
    assert "**Needs platform approval:** ⚠️" in summary and "platform: " in summary
    assert "THIS CHANGE IS REFUSED" in summary
    assert "left out to stay under GitHub's comment limit" in document and "`tenant-plan` artifact" in document
    assert document.rstrip().endswith("</sub>")


class FakeGitHub:
    def __init__(self, comments: list[dict]) -> None:
        self.comments = comments
        self.sent: list[tuple[str, str, Any]] = []

    def __call__(self, method: str, path: str, body: Any) -> Any:
        self.sent.append((method, path, body))
        return self.comments if method == "GET" else {"id": 99}


def test_the_finder_never_takes_the_pulumi_actions_comment() -> None:
    """pulumi/actions posts as the same bot, its body quotes the preview output, which can contain our marker."""
    bot = {"login": "github-actions[bot]"}
    pulumi_comment = {"id": 1, "user": bot, "body": "#### :tropical_drink: `preview` on tenant-platform/cluster-a\n"
                      f"<details><summary>Pulumi report</summary><pre>~ description: {COMMENT_MARKER}</pre></details>"}
    quoted = {"id": 2, "user": {"login": "someone"}, "body": f"{COMMENT_MARKER}\nquoted by a user"}
    ours = {"id": 3, "user": bot, "body": f"{COMMENT_MARKER}\n## Tenant plan\n"}
    fake = FakeGitHub([pulumi_comment, quoted])
    assert find_comment(GitHub("t", send=fake), "o/r", 7, COMMENT_MARKER) is None
    assert post_or_update(GitHub("t", send=fake), "o/r", 7, "## Tenant plan\n") == "created"
    fake = FakeGitHub([pulumi_comment, quoted, ours])
    assert find_comment(GitHub("t", send=fake), "o/r", 7, COMMENT_MARKER) == 3


HOSTILE_YAML = '"\\e[2K\\e[1A\\rall good \\u202e[red]x[/red] @example-org/platform-team"'


@pytest.mark.parametrize("command", [["validate"], ["validate", "--format", "github"], ["cost"],
                                     ["cost", "--format", "markdown"], ["plan"], ["report", "access"],
                                     ["render"]])
def test_no_command_passes_terminal_escapes_through(scratch_repo, command: list[str]) -> None:
    """Whether validation accepts or refuses such text, nothing a tenant file holds reaches a terminal raw."""
    from typer.testing import CliRunner

    from tenantctl.cli.app import app

    path = scratch_repo / "tenants/sandbox.yaml"
    text_before = path.read_text()
    path.write_text(text_before.replace("team: Innovatielab", f"team: {HOSTILE_YAML}")
                    .replace("description: Experiments of the innovation lab", f"description: {HOSTILE_YAML}"))
    result = CliRunner().invoke(app, [*command, "--root", str(scratch_repo)])
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "\x1b" not in output and "\r" not in output and "\u202e" not in output, output


def test_a_forged_review_in_a_description_stays_inside_one_code_span(git_repo) -> None:
    """Through the CLI: a description that tries to forge a heading, a comment, close <details> and ping a team.
    If validation accepts it, the plan shows it literally; if validation refuses it, the refusal is inert too."""
    from typer.testing import CliRunner

    from tenantctl.cli.app import app

    path = git_repo / "tenants/sandbox.yaml"
    path.write_text(path.read_text().replace(
        "description: Experiments of the innovation lab",
        'description: "x\\n\\n## \\u2705 Reviewed: safe to merge\\n<!--\\n</details> @example-org/platform-team"'))
    result = CliRunner().invoke(app, ["plan", "--root", str(git_repo), "--base", "main", "--format", "markdown",
                                      "--output", str(git_repo / "plan.md")])
    document = (git_repo / "plan.md").read_text()
    assert result.exit_code in (0, 1) and document.startswith(COMMENT_MARKER)
    assert_inert(document, "## ✅ Reviewed <!-- @example-org </details>")
    html = [token.content.strip() for token in tokens(document) if token.type in ("html_block", "html_inline")]
    opened = sum(part.startswith("<details>") for part in html)
    closed = sum(part.startswith("</details>") for part in html)
    assert opened == closed <= 1, html  # one details block, or none when the head is refused
