"""Issue 12, the review gate cannot lie: both sides read alike from git, blind spots, lifecycle rules, exit codes.

Every test works in a scratch git repository made from the fixture repository (tests/fixtures/repo).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantctl.cli.app import app
from tenantctl.source.tree import (
    Entry,
    Reader,
    disk_tenant_files,
    git_tenant_files,
    resolve_commit,
    select_tenant_files,
)
from tests.conftest import git

runner = CliRunner()
TODAY = "2026-11-23"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's empty tree


@pytest.fixture
def git_repo(git_repo: Path) -> Path:
    """The fixture repository committed on `main` (the base), checked out on the branch `pr` (the head)."""
    git(git_repo, "checkout", "-q", "-b", "pr")
    return git_repo


def commit(repo: Path, message: str = "change") -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", message)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()


def plan(repo: Path, *args: str, head: str | None = "HEAD", fmt: str = "json") -> tuple[int, str, str]:
    extra = ["--head", head] if head else []
    result = runner.invoke(app, ["plan", "--root", str(repo), "--base", "main", *extra, "--format", fmt,
                                 "--today", TODAY, *args])
    return result.exit_code, result.stdout, result.stderr


def plan_json(repo: Path, head: str | None = "HEAD") -> tuple[int, dict]:
    code, out, err = plan(repo, head=head)
    assert out, err
    return code, json.loads(out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# --- one rule set for both sides ---------------------------------------------------------------------------

def both_sides(repo: Path) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(path, severity, message) of what each side says about the same tree: from git and from disk."""
    from_git = git_tenant_files(repo, resolve_commit(repo, "HEAD"))
    from_disk = disk_tenant_files(repo)
    as_tuples = lambda files: sorted((p.path, p.severity, p.message) for p in files.problems)  # noqa: E731
    assert sorted(path for path, _ in from_git.files) == sorted(path for path, _ in from_disk.files)
    return as_tuples(from_git), as_tuples(from_disk)


@pytest.mark.parametrize(("name", "make", "severity", "words"), [
    ("extra.yml", "file", "error", "end in `.yaml`"),
    ("EXTRA.YAML", "file", "error", "end in `.yaml`"),
    ("README.md", "file", "warning", "not a tenant file"),
    ("sub", "folder", "error", "is a folder"),
    ("link.yaml", "symlink", "error", "symbolic link"),
    ("bad\nname.yaml", "file", "error", "control"),
    ("bidi\u202eyaml.yaml", "file", "error", "control, bidi"),
    (".yaml", "file", "error", "no tenant name"),
])
def test_git_and_disk_apply_the_same_rules(git_repo: Path, name: str, make: str, severity: str, words: str) -> None:
    target = git_repo / "tenants" / name
    if make == "file":
        target.write_text((git_repo / "tenants/sandbox.yaml").read_text())
    elif make == "folder":
        target.mkdir()
        (target / "nested.yaml").write_text((git_repo / "tenants/sandbox.yaml").read_text())
    else:
        target.symlink_to("sandbox.yaml")
    commit(git_repo)
    from_git, from_disk = both_sides(git_repo)
    assert from_git == from_disk
    assert [(sev, words in message) for _, sev, message in from_git] == [(severity, True)]


def test_non_utf8_names_and_submodules_are_refused_identically(git_repo: Path) -> None:
    name = b"caf\xe9.yaml"
    with open(os.path.join(os.fsencode(git_repo / "tenants"), name), "wb") as stream:
        stream.write(b"name: cafe\n")
    commit(git_repo)
    from_git, from_disk = both_sides(git_repo)
    assert from_git == from_disk and len(from_git) == 1
    path, severity, message = from_git[0]
    assert path == "tenants/caf\\xe9.yaml" and severity == "error" and "not UTF-8" in message
    # a submodule (gitlink) only exists in git; its listing never crashes and is refused
    head = resolve_commit(git_repo, "HEAD")
    git(git_repo, "update-index", "--add", "--cacheinfo", f"160000,{head},tenants/vendored.yaml")
    git(git_repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "submodule")
    files = git_tenant_files(git_repo, resolve_commit(git_repo, "HEAD"))
    assert [(p.path, "submodule" in p.message) for p in files.errors if "vendored" in p.path] == \
        [("tenants/vendored.yaml", True)]


def test_tenants_path_that_is_not_a_folder_is_refused(git_repo: Path) -> None:
    git(git_repo, "rm", "-rq", "tenants")
    (git_repo / "tenants").write_text("not a folder\n")
    commit(git_repo)
    from_git, from_disk = both_sides(git_repo)
    assert from_git == from_disk and "is a file, not a folder" in from_git[0][2]


def test_odd_object_types_never_crash_the_reader() -> None:
    class Refusing(Reader):
        def __call__(self, entries: list[Entry]) -> list[bytes | str]:
            return ["git object x is a tree, not a file" for _ in entries]

    files = select_tenant_files([Entry(b"a.yaml", "file", "x"), Entry(b"b.yaml", "other", "y")], Refusing())
    assert [p.message for p in files.errors] == ["cannot read the file: git object x is a tree, not a file",
                                                 "is not a regular file: tenant files must be regular files"]


def test_a_symlinked_tenant_cannot_be_deleted_quietly(git_repo: Path) -> None:
    """Issue 12 class 3: the base had the tenant as a symlink; the head drops it. Both sides refuse the link, and
    the base file that cannot be read blocks the plan instead of vanishing."""
    os.replace(git_repo / "tenants/sandbox.yaml", git_repo / "sandbox.data")
    (git_repo / "tenants/sandbox.yaml").symlink_to("../sandbox.data")
    commit(git_repo)
    git(git_repo, "branch", "-f", "main")
    (git_repo / "tenants/sandbox.yaml").unlink()
    commit(git_repo, "drop the link")
    code, document = plan_json(git_repo)
    assert code == 1
    assert any("tenants/sandbox.yaml" in reason and "symbolic link" in reason for reason in document["blocking"])


def test_a_base_file_that_cannot_be_read_is_a_loud_error(git_repo: Path) -> None:
    (git_repo / "tenants/sandbox.yaml").write_text("name: [unclosed\n")
    commit(git_repo)
    git(git_repo, "branch", "-f", "main")
    (git_repo / "tenants/sandbox.yaml").unlink()
    commit(git_repo, "remove the broken file")
    code, out, _err = plan(git_repo, fmt="markdown")
    assert code == 1
    summary = out.split("<details>")[0]
    assert "THIS CHANGE IS REFUSED" in summary and "base file tenants/sandbox.yaml cannot be read" in summary


def test_a_base_file_fixed_by_the_pr_is_only_a_warning(git_repo: Path) -> None:
    original = (git_repo / "tenants/sandbox.yaml").read_text()
    (git_repo / "tenants/sandbox.yaml").write_text("name: [unclosed\n")
    commit(git_repo)
    git(git_repo, "branch", "-f", "main")
    (git_repo / "tenants/sandbox.yaml").write_text(original)
    commit(git_repo, "fix it")
    code, document = plan_json(git_repo)
    assert code == 0 and not document["blocking"]
    assert any("compared as new" in warning for warning in document["warnings"])


@pytest.mark.parametrize("rev", ["--output=/tmp/x", "-h", "main\n--all", "", "no-such-branch", "main:tenants",
                                 "HEAD^{tree}", EMPTY_TREE])
def test_revisions_are_checked_before_use(git_repo: Path, rev: str, tmp_path: Path) -> None:
    for option in ("--base", "--head"):
        args = ["plan", "--root", str(git_repo), option, rev] + (["--base", "main"] if option == "--head" else [])
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (rev, result.stdout, result.stderr)
        assert "cannot read revision" in result.stderr and "Traceback" not in result.stderr
    assert not Path("/tmp/x").exists() or rev != "--output=/tmp/x"


def test_affected_stacks_refuses_option_like_revisions(git_repo: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    result = runner.invoke(app, ["ci", "affected-stacks", "--root", str(git_repo), f"--base=--output={victim}"])
    assert result.exit_code == 2 and victim.read_text() == "keep me"


# --- both sides from git objects, no checkout ----------------------------------------------------------------

def test_plan_reads_the_head_from_git_not_the_working_tree(git_repo: Path) -> None:
    (git_repo / "tenants/sandbox.yaml").unlink()
    pr = commit(git_repo, "PR: delete sandbox")
    git(git_repo, "checkout", "-q", "main")  # the working tree is back at the base: nothing deleted on disk
    assert (git_repo / "tenants/sandbox.yaml").exists()
    code, document = plan_json(git_repo, head=pr)
    assert code == 1
    assert {"tenant": "sandbox", "object": "Namespace sandbox-dev"} in document["data_removals"]
    code, document = plan_json(git_repo, head=None)  # the working tree: nothing removed
    assert code == 0 and not document["data_removals"]


# --- blind spots: settings and code --------------------------------------------------------------------------

def test_settings_changes_are_a_field_level_diff_that_needs_approval(git_repo: Path) -> None:
    settings = git_repo / "platform/settings.yaml"
    edit(settings, "  cpu: 64\n", "  cpu: 128\n")
    edit(settings, "  - velero\n", "")
    edit(settings, "core_month: 12.00", "core_month: 1.00")
    commit(git_repo)
    code, document = plan_json(git_repo)
    assert code == 0
    changes = {change["path"]: (change["before"], change["after"]) for change in document["settings_changes"]}
    assert changes["limits.cpu"] == ("64", "128")
    assert changes["pricing.core_month"] == ("12.00", "1.00")
    assert any(path.startswith("reserved_namespaces") for path in changes)
    assert document["platform_approvals"][0].startswith("platform settings changed")
    assert "platform/settings.yaml" in document["program_files"]
    code, out, _ = plan(git_repo, fmt="markdown")
    summary = out.split("<details>")[0]
    assert "**Platform settings changed**" in summary and "`limits.cpu`: `64` → `128`" in summary
    assert "**Needs platform approval:** ⚠️" in summary and "platform: platform settings changed" in summary


def test_approvals_are_judged_against_the_base_settings(git_repo: Path) -> None:
    edit(git_repo / "platform/settings.yaml", "approval:                     # above these a tenant is valid but "
         "needs platform approval\n  cpu: 16", "approval:\n  cpu: 64")
    edit(git_repo / "tenants/amt.yaml", "  prod:\n    cpu: 4", "  prod:\n    cpu: 32")
    commit(git_repo)
    _code, document = plan_json(git_repo)
    amt = next(t for t in document["tenants"] if t["tenant"] == "amt")
    assert any("cpu 32 is more than 16 cores" in reason for reason in amt["approvals"])


@pytest.mark.parametrize("path", ["tenantctl/review/plan.py", "components/tenant.py", "__main__.py",
                                  "policies/__main__.py", "platform/extra.yaml", "Pulumi.yaml",
                                  "Pulumi.cluster-a.yaml", "pyproject.toml", "requirements/runtime.lock"])
def test_program_changes_affect_every_stack_and_are_listed(git_repo: Path, path: str) -> None:
    target = git_repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("# changed\n")
    commit(git_repo)
    result = runner.invoke(app, ["ci", "affected-stacks", "--root", str(git_repo), "--base", "main",
                                 "--head", "HEAD", "--preview-environments"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"stack": "cluster-a", "environment": "cluster-a-preview-reviewed"}]
    _code, out, _ = plan(git_repo, fmt="markdown")
    summary = out.split("<details>")[0]
    assert "**Platform code changed: all stacks affected**" in summary and f"`{path}`" in summary


def test_docs_only_change_affects_nothing_and_tenant_changes_use_the_plain_preview(git_repo: Path) -> None:
    (git_repo / "docs").mkdir()
    (git_repo / "docs/note.md").write_text("hello\n")
    commit(git_repo)
    result = runner.invoke(app, ["ci", "affected-stacks", "--root", str(git_repo), "--base", "main", "--head", "HEAD"])
    assert json.loads(result.stdout) == []
    edit(git_repo / "tenants/amt.yaml", "  prod:\n    cpu: 4", "  prod:\n    cpu: 6")
    commit(git_repo)
    result = runner.invoke(app, ["ci", "affected-stacks", "--root", str(git_repo), "--base", "main", "--head", "HEAD",
                                 "--preview-environments"])
    assert json.loads(result.stdout) == [{"stack": "cluster-a", "environment": "cluster-a-preview"}]


def test_workflow_changes_need_approval_and_the_reviewed_preview(git_repo: Path) -> None:
    (git_repo / ".github/workflows").mkdir(parents=True)
    (git_repo / ".github/workflows/x.yml").write_text("on: push\n")
    edit(git_repo / "tenants/amt.yaml", "  prod:\n    cpu: 4", "  prod:\n    cpu: 6")
    commit(git_repo)
    _code, document = plan_json(git_repo)
    assert document["workflow_files"] == [".github/workflows/x.yml"]
    assert any("CI workflows changed" in reason for reason in document["platform_approvals"])
    result = runner.invoke(app, ["ci", "affected-stacks", "--root", str(git_repo), "--base", "main", "--head", "HEAD",
                                 "--preview-environments"])
    assert json.loads(result.stdout) == [{"stack": "cluster-a", "environment": "cluster-a-preview-reviewed"}]


# --- lifecycle -----------------------------------------------------------------------------------------------

DECOMMISSION = "data_classification: BBN1\nstatus: decommissioned\nretain_until: {date}\n"


def decommission(repo: Path, date: str) -> None:
    edit(repo / "tenants/sandbox.yaml", "data_classification: BBN1\n", DECOMMISSION.format(date=date))


@pytest.mark.parametrize(("date", "refused"), [("2026-11-01", True), ("2026-12-03", True), ("2026-12-23", False),
                                                ("2027-06-30", False)])
def test_retain_until_must_be_far_enough_ahead_when_first_set(git_repo: Path, date: str, refused: bool) -> None:
    decommission(git_repo, date)
    commit(git_repo)
    code, document = plan_json(git_repo)
    assert code == (1 if refused else 0)
    assert bool([r for r in document["blocking"] if "retain_until" in r and "30 days" in r]) is refused


def test_retain_until_moved_earlier_is_refused_and_n_comes_from_settings(git_repo: Path) -> None:
    decommission(git_repo, "2027-06-30")
    commit(git_repo)
    git(git_repo, "branch", "-f", "main")
    edit(git_repo / "tenants/sandbox.yaml", "retain_until: 2027-06-30", "retain_until: 2026-11-24")
    commit(git_repo)
    code, document = plan_json(git_repo)
    assert code == 1 and "moved earlier" in document["blocking"][0]
    edit(git_repo / "platform/settings.yaml", "min_retention_days: 30", "min_retention_days: 0")
    commit(git_repo)
    git(git_repo, "branch", "-f", "main")  # N is read from the BASE settings
    code, document = plan_json(git_repo, head="HEAD")
    assert code == 0


def approvals_of(repo: Path, tenant: str) -> list[str]:
    commit(repo)
    _, document = plan_json(repo)
    return next(t for t in document["tenants"] if t["tenant"] == tenant)["approvals"]


def test_reactivation_and_changes_to_a_decommissioned_tenant_need_approval(git_repo: Path) -> None:
    decommission(git_repo, "2027-06-30")
    commit(git_repo)
    git(git_repo, "branch", "-f", "main")
    edit(git_repo / "tenants/sandbox.yaml", '"github:innovatielab"', '"github:other-team"')
    assert approvals_of(git_repo, "sandbox") == ["changes the groups of a decommissioned tenant"]
    edit(git_repo / "tenants/sandbox.yaml", "status: decommissioned\nretain_until: 2027-06-30\n", "")
    reasons = approvals_of(git_repo, "sandbox")
    assert "re-activates a decommissioned tenant" in reasons
    assert "changes the groups of a decommissioned tenant" in reasons
    _code, out, _ = plan(git_repo, fmt="markdown")
    assert "re-activates a decommissioned tenant" in out.split("<details>")[0]


def test_downgrade_and_dropped_backups_need_approval(git_repo: Path) -> None:
    amt = git_repo / "tenants/amt.yaml"
    edit(amt, "data_classification: BBN2", "data_classification: BBN1")
    text = amt.read_text()
    amt.write_text(text.replace("    backups:\n      per_day: 2\n      retention_days: 30\n", ""))
    reasons = approvals_of(git_repo, "amt")
    assert "downgrades the data classification BBN2 → BBN1" in reasons
    assert "test: removes the backups of a BBN2 or production environment" in reasons


@pytest.mark.parametrize("env", ["prod", "production", "prod-eu", "eu-prd", "live"])
def test_production_lookalike_marked_non_production_needs_approval(git_repo: Path, env: str) -> None:
    edit(git_repo / "tenants/sandbox.yaml", "  dev:\n", f"  {env}:\n    production: false\n")
    reasons = approvals_of(git_repo, "sandbox")
    assert f"{env}: named like production but marked `production: false`" in reasons


def test_ordinary_names_marked_non_production_need_nothing(git_repo: Path) -> None:
    edit(git_repo / "tenants/sandbox.yaml", "  dev:\n", "  reproduce:\n    production: false\n")
    assert approvals_of(git_repo, "sandbox") == []


def test_odd_names_in_the_base_never_crash_affected_stacks_or_plan(git_repo: Path) -> None:
    """Issue 12 class 3: a name with a newline or a non-UTF-8 byte, or a submodule, in the base."""
    (git_repo / "tenants/odd\nname.yaml").write_text("name: odd\n")
    with open(os.path.join(os.fsencode(git_repo / "tenants"), b"x\xff.yaml"), "wb") as stream:
        stream.write(b"name: x\n")
    head = commit(git_repo)
    git(git_repo, "update-index", "--add", "--cacheinfo", f"160000,{head},tenants/sub")
    git(git_repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "submodule")
    git(git_repo, "branch", "-f", "main")
    git(git_repo, "rm", "-q", "--cached", "tenants/sub")
    (git_repo / "tenants/odd\nname.yaml").unlink()
    os.unlink(os.path.join(os.fsencode(git_repo / "tenants"), b"x\xff.yaml"))
    commit(git_repo, "clean up")
    result = runner.invoke(app, ["ci", "affected-stacks", "--root", str(git_repo), "--base", "main", "--head", "HEAD"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"stack": "cluster-a"}], "a base that cannot be read affects every stack"
    code, out, err = plan(git_repo, fmt="text")
    assert code == 1 and "Traceback" not in out + err
    assert "tenants/odd\\nname.yaml" in out and "tenants/x\\xff.yaml" in out and "tenants/sub" in out
