"""The GitHub workflows, checked offline: schema, actionlint, zizmor, and the safety properties we promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
README_TEST = re.search(r"```sh\n(python3 -m venv .venv && .venv/bin/pip install -q -e '\.\[test\]' && "
                        r"\.venv/bin/python -m pytest)\n```", (REPO / "README.md").read_text())


def load(name: str) -> dict[str, Any]:
    return YAML(typ="safe", pure=True).load((REPO / ".github/workflows" / name).read_text())


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


def steps_using(job: dict, action: str) -> list[dict]:
    return [step for step in job["steps"] if str(step.get("uses", "")).startswith(action)]


def triggers(workflow: dict) -> dict:
    return workflow.get("on") or workflow.get(True)  # YAML 1.1 readers turn `on` into True


def test_workflows_exist() -> None:
    assert [path.name for path in WORKFLOWS] == ["apply.yml", "drift.yml", "pull-request-comment.yml",
                                                  "pull-request.yml"]


def test_workflows_match_the_github_schema() -> None:
    result = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                             *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing() -> None:
    result = subprocess.run([str(BIN / "actionlint"), *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_mistake(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    source = (REPO / ".github/workflows/drift.yml").read_text()
    broken.write_text(source.replace("needs.stacks.outputs", "needs.nope.outputs"))
    result = subprocess.run([str(BIN / "actionlint"), str(broken)], capture_output=True, text=True)
    assert result.returncode == 1 and "nope" in result.stdout


def test_zizmor_security_audit_is_clean() -> None:
    result = subprocess.run([str(BIN / "zizmor"), "--offline", "--config", str(REPO / ".github/zizmor.yml"),
                             str(REPO / ".github/workflows")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_least_privilege_and_no_untrusted_interpolation(path: Path) -> None:
    workflow = load(path.name)
    assert "pull_request_target" not in triggers(workflow)
    assert workflow["permissions"] == {}, "every workflow starts with no permissions"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{path.name}:{name} must declare its permissions"
        assert "write-all" not in str(job["permissions"]) and job["permissions"].get("contents") in (None, "read")
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), f"{path.name}:{name}: pass values to `run` through env"
            if str(step.get("uses", "")).startswith("actions/checkout"):
                assert step["with"]["persist-credentials"] is False


def test_fork_safe_pull_request_job_has_no_secrets() -> None:
    workflow = load("pull-request.yml")
    assert set(triggers(workflow)) == {"pull_request"}
    check = workflow["jobs"]["check"]
    assert check["permissions"] == {"contents": "read"}
    assert not [text for text in strings(check) if "secrets." in text or "vars." in text]
    commands = [step.get("run", "") for step in check["steps"]]
    assert ".venv/bin/tenantctl validate --format github" in commands
    assert any(command.startswith(".venv/bin/tenantctl plan --base") and "--format markdown" in command
               for command in commands)
    assert steps_using(check, "actions/checkout")[0]["with"]["fetch-depth"] == 0
    assert steps_using(check, "actions/upload-artifact")


def test_preview_only_for_same_repository_with_policy_pack() -> None:
    preview = load("pull-request.yml")["jobs"]["preview"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in preview["if"]
    [pulumi] = steps_using(preview, "pulumi/actions@")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["refresh"] is True
    install = next(i for i, step in enumerate(preview["steps"]) if "pip install" in step.get("run", ""))
    assert install < preview["steps"].index(pulumi), "install Python dependencies before the Pulumi action"


def test_apply_never_cancels_a_running_up() -> None:
    workflow = load("apply.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    apply = workflow["jobs"]["apply"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert "matrix.stack" in apply["concurrency"]["group"]
    assert apply["environment"], "applies run behind a GitHub environment (required reviewers)"
    [pulumi] = steps_using(apply, "pulumi/actions@")
    assert pulumi["with"]["command"] == "up" and pulumi["with"]["policyPacks"] == "policies"
    lead = apply["steps"][-1]
    assert "tenantctl ci lead-time" in lead["run"] and "GITHUB_STEP_SUMMARY" in lead["run"]


def test_drift_check_runs_nightly_and_fails_on_changes() -> None:
    workflow = load("drift.yml")
    assert triggers(workflow)["schedule"][0]["cron"]
    drift = workflow["jobs"]["drift"]
    [pulumi] = steps_using(drift, "pulumi/actions@")
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["expect-no-changes"] is True
    assert pulumi["with"]["policyPacks"] == "policies"
    explain = drift["steps"][-1]
    assert explain["if"] == "failure()" and "tenantctl ci drift-summary" in explain["run"]


def test_only_applies_share_the_apply_concurrency_group() -> None:
    """GitHub keeps one pending job per group: another job joining the group would cancel a waiting apply."""
    for path in WORKFLOWS:
        for name, job in load(path.name)["jobs"].items():
            group = str((job.get("concurrency") or {}).get("group", ""))
            if group.startswith("pulumi-apply-"):
                assert (path.name, name) == ("apply.yml", "apply")


# The actions we use, at the major version we checked is current (November 2026); Dependabot proposes updates.
REVIEWED_ACTIONS = {"actions/checkout": "v7", "actions/setup-python": "v7", "actions/upload-artifact": "v7",
                    "actions/download-artifact": "v8", "pulumi/actions": "v7"}


def test_only_reviewed_actions_at_their_current_major() -> None:
    for path in WORKFLOWS:
        for job in load(path.name)["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    action, _, version = step["uses"].partition("@")
                    assert REVIEWED_ACTIONS.get(action) == version, f"{path.name}: review {step['uses']}"


def test_comment_workflow_never_runs_pull_request_code() -> None:
    workflow = load("pull-request-comment.yml")
    assert set(triggers(workflow)) == {"workflow_run"}
    job = workflow["jobs"]["comment"]
    assert steps_using(job, "actions/checkout")[0]["with"]["ref"] == "${{ github.event.repository.default_branch }}"
    post = job["steps"][-1]["run"]
    assert "tenantctl ci post-comment" in post and "--head-sha" in post


def test_every_workflow_installs_exactly_like_the_readme() -> None:
    assert README_TEST, "README must show the test command"
    install, test = README_TEST[1].rsplit(" && ", 1)
    for path in WORKFLOWS:
        for job in load(path.name)["jobs"].values():
            installs = [step["run"] for step in job["steps"] if "pip install" in step.get("run", "")]
            assert installs == [install], f"{path.name}: install with the README's command"
    check = load("pull-request.yml")["jobs"]["check"]
    assert test in [step.get("run") for step in check["steps"]]
    assert README_TEST[1] in (REPO / ".ci/run").read_text()
