"""The incremental plan (only changed tenant files read, a summary cache for the rest) equals the full plan."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantctl.cli.app import app
from tenantctl.objects.guardrails import SPECS, check_objects
from tenantctl.review import incremental

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated 25-tenant fleet committed on `main`, one tenant's memory raised in the working tree."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from fleet import make_fleet
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = tmp_path / "repo"
    root.mkdir()
    make_fleet(root, 25)
    monkeypatch.setenv("TENANTCTL_CACHE_DIR", str(tmp_path / "cache"))
    return root


def plan(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["plan", "--root", str(root), "--base", "main", *args])
    return result.exit_code, result.stdout


def assert_same_as_full(root: Path) -> None:
    for output_format in ("text", "markdown", "json"):
        full = plan(root, "--format", output_format, "--no-incremental")
        assert plan(root, "--format", output_format) == full, output_format  # cold (or warm) cache
        assert plan(root, "--format", output_format) == full, output_format  # warm cache


def quick(root: Path) -> incremental.IncrementalPlan | None:
    return incremental.plan_incrementally(root, "main", check_objects, len(SPECS), datetime.date.today())


def tenant_files(root: Path) -> list[Path]:
    return sorted((root / "tenants").glob("*.yaml"))


def test_one_changed_tenant_reads_two_files_and_equals_the_full_plan(fleet: Path) -> None:
    result = quick(fleet)
    assert result is not None
    assert result.parsed == 2  # the changed file at the base and in the head
    assert [item.tenant for item in result.plan.touched] == [result.head_tenants[0].tenant.name]
    assert_same_as_full(fleet)


def test_warm_cache_summarises_nothing(fleet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert quick(fleet) is not None  # cold: fills the cache
    monkeypatch.setattr(incremental, "summarize", lambda *_: pytest.fail("summarised again"))
    assert quick(fleet) is not None


def test_added_removed_and_comment_only_changes(fleet: Path) -> None:
    files = tenant_files(fleet)
    files[0].unlink()  # a removal: data would be deleted, exit 1 on both paths
    files[1].write_text(files[1].read_text() + "# a comment only\n")
    new = fleet / "tenants" / "brand-new.yaml"
    new.write_text(files[2].read_text().replace(f"name: {files[2].stem}\n", "name: brand-new\n"))
    code, _ = plan(fleet, "--no-incremental")
    assert code == 1
    assert quick(fleet) is not None
    assert_same_as_full(fleet)


def test_committed_changes_and_a_second_base(fleet: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "pr"],
                   cwd=fleet, check=True)
    files = tenant_files(fleet)
    files[3].write_text(files[3].read_text().replace("cpu: ", "cpu: 1\n    # was: ", 1))
    assert_same_as_full(fleet)


@pytest.mark.parametrize("change", ["settings", "invalid", "duplicate-namespace", "symlink"])
def test_the_full_plan_decides_when_the_shortcut_could_differ(fleet: Path, change: str) -> None:
    files = tenant_files(fleet)
    if change == "settings":
        settings = fleet / "platform/settings.yaml"
        settings.write_text(settings.read_text().replace("core_month: 12.00", "core_month: 13.00"))
    elif change == "invalid":
        files[4].write_text(files[4].read_text().replace("environments:", "environmentz:"))
    elif change == "duplicate-namespace":
        (fleet / "tenants" / f"{files[5].stem}-x.yaml").write_text(files[5].read_text())
    else:
        files[6].unlink()
        files[6].symlink_to(files[7])
    assert quick(fleet) is None
    assert_same_as_full(fleet)


def test_cache_key_holds_settings_and_tool_version(fleet: Path, tmp_path: Path) -> None:
    assert quick(fleet) is not None
    cached = list((tmp_path / "cache").glob("plan-*.json"))
    assert len(cached) == 1
    assert incremental.tool_version()[:20] in cached[0].name
    key = next(iter(incremental.SummaryCache(cached[0].parent, "", "").entries), None)
    assert key is None  # another (settings, version) pair reads another file
