"""The GitHub workflows, checked offline: schema, actionlint, zizmor, and the safety properties we promise."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    assert [path.name for path in WORKFLOWS] == ["apply.yml", "drift.yml", "pull-request-review.yml",
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
                    "pulumi/actions": "v7"}


def test_only_reviewed_actions_at_their_current_major() -> None:
    for path in WORKFLOWS:
        for job in load(path.name)["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    action, _, version = step["uses"].partition("@")
                    assert REVIEWED_ACTIONS.get(action) == version, f"{path.name}: review {step['uses']}"




# --- trust model (issue 12): trusted code, untrusted data ---------------------------------------------------

LOCK_INSTALL = ("python3 -m venv .venv && .venv/bin/pip install -q --require-hashes --no-deps -r "
                "requirements/runtime.lock && .venv/bin/pip install -q --no-deps --no-build-isolation .")
TEST_TOOLS = ("pytest", "hypothesis", "zizmor", "actionlint", "check-jsonschema", "[test]")
TRUSTED_REF = "${{ github.event.repository.default_branch }}"
UNTRUSTED_PATH = "untrusted-data"
RUNNER = "${{ vars.RUNNER || 'ubuntu-latest' }}"


def all_jobs() -> Iterator[tuple[str, dict, str, dict]]:
    for path in WORKFLOWS:
        workflow = load(path.name)
        for name, job in workflow["jobs"].items():
            yield path.name, workflow, name, job


def holds_credentials(job: dict) -> bool:
    """A job with a secret, a deployment environment, a write permission or the workflow's token."""
    permissions = job.get("permissions") or {}
    text = list(strings(job))
    return ("environment" in job or any(str(value) == "write" for value in permissions.values())
            or any("secrets." in item or "github.token" in item for item in text))


def credentialed_jobs() -> list[tuple[str, dict, str, dict]]:
    return [item for item in all_jobs() if holds_credentials(item[3])]


def test_credentialed_jobs_are_the_ones_we_expect() -> None:
    """A guard for the property tests below: they must see every job that holds something."""
    names = {(path, name) for path, _, name, _ in credentialed_jobs()}
    assert names == {("apply.yml", "apply"), ("drift.yml", "drift"), ("pull-request-review.yml", "plan"),
                     ("pull-request-review.yml", "preview")}


def test_the_untrusted_workflow_holds_nothing_and_decides_nothing() -> None:
    """pull_request runs the PR's own workflow file and code: no secrets, no variables, no write token, no
    environment, no artifact for others to trust, and a GitHub-hosted runner (never a self-hosted one)."""
    workflow = load("pull-request.yml")
    assert set(triggers(workflow)) == {"pull_request"}
    for name, job in workflow["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name
        assert "environment" not in job and job["runs-on"] == "ubuntu-latest"
        text = list(strings(job))
        assert not [item for item in text if "secrets." in item or "vars." in item or "github.token" in item]
        uses = [str(step.get("uses", "")) for step in job["steps"]]
        assert not [u for u in uses if u.startswith(("pulumi/", "actions/upload-artifact", "actions/download"))]
        commands = [step.get("run", "") for step in job["steps"]]
        assert not [c for c in commands if "post-comment" in c or "affected-stacks" in c]
    check = workflow["jobs"]["check"]
    plan = next(step for step in check["steps"] if "tenantctl plan" in step.get("run", ""))
    assert "--provenance" in plan["run"] and "OWN CODE" in plan["env"]["PROVENANCE"]


def test_no_workflow_that_holds_credentials_runs_on_pull_request_definitions() -> None:
    """A `pull_request` run uses the PR's own workflow file: nothing there may hold a credential."""
    for path, workflow, name, _ in credentialed_jobs():
        assert not {"pull_request", "pull_request_target"} & set(triggers(workflow)), f"{path}:{name}"


def test_no_credentialed_step_installs_or_executes_pull_request_code() -> None:
    """Every checkout in a credentialed job is the trusted code (the pushed/default branch) or the PR's commit
    in `untrusted-data`, which no step enters, installs, imports or runs: it is only a `git fetch` source."""
    for path, workflow, name, job in credentialed_jobs():
        untrusted_event = "workflow_run" in triggers(workflow)
        for step in job["steps"]:
            where = f"{path}:{name}:{step.get('name') or step.get('uses')}"
            uses = str(step.get("uses", ""))
            options = step.get("with") or {}
            if uses.startswith("actions/checkout"):
                if options.get("path") == UNTRUSTED_PATH:
                    assert untrusted_event and options["ref"] == "${{ github.event.workflow_run.head_sha }}", where
                elif untrusted_event:
                    assert options.get("ref") == TRUSTED_REF and options.get("path") == "trusted", where
                else:
                    assert "ref" not in options and "repository" not in options, where
            if uses.startswith("pulumi/actions"):
                assert options.get("work-dir", ".") == ("trusted" if untrusted_event else "."), where
            command = step.get("run", "")
            directory = step.get("working-directory", "")
            assert UNTRUSTED_PATH not in directory, where
            for line in command.splitlines():
                if UNTRUSTED_PATH in line:
                    assert line.strip().startswith("git fetch --no-tags"), f"{where}: {line}"
            if untrusted_event and command:
                assert directory == "trusted" or command.lstrip().startswith(("if [ -x trusted/", "if [ -f")) or \
                    "trusted/.venv/bin/tenantctl" in command, where
            assert "head_sha" not in command and "head.sha" not in command, where


def test_credentialed_jobs_install_only_locked_runtime_dependencies() -> None:
    """Issue 10: jobs with credentials install the runtime lock with hashes, never test tools."""
    for path, _, name, job in credentialed_jobs():
        installs = [step["run"] for step in job["steps"] if "pip install" in step.get("run", "")]
        assert installs == [LOCK_INSTALL], f"{path}:{name}"
        for step in job["steps"]:
            command = step.get("run", "")
            assert not [tool for tool in TEST_TOOLS if tool in command], f"{path}:{name}: {command}"
    for path in ("apply.yml", "drift.yml"):
        steps = load(path)["jobs"]["stacks"]["steps"]
        installs = [step["run"] for step in steps if "pip install" in step.get("run", "")]
        assert installs == [LOCK_INSTALL]


def test_the_untrusted_job_installs_exactly_like_the_readme() -> None:
    assert README_TEST, "README must show the test command"
    install, test = README_TEST[1].rsplit(" && ", 1)
    check = load("pull-request.yml")["jobs"]["check"]
    commands = [step.get("run") for step in check["steps"]]
    assert [c for c in commands if c and "pip install" in c] == [install]
    assert test in commands


def test_trusted_jobs_take_their_runner_from_a_variable() -> None:
    """Private state backends and API servers need self-hosted runners (docs/ci.md): `vars.RUNNER` for every job
    that runs the protected branch's code. Jobs that run PR code stay on GitHub-hosted runners."""
    for path, workflow, name, job in all_jobs():
        runs_pr_code = "pull_request" in triggers(workflow)
        assert job["runs-on"] == ("ubuntu-latest" if runs_pr_code else RUNNER), f"{path}:{name}"
    assert "vars.RUNNER" in (REPO / "docs/ci.md").read_text()


def test_the_review_comment_is_computed_by_trusted_code_and_never_from_an_artifact() -> None:
    workflow = load("pull-request-review.yml")
    assert set(triggers(workflow)) == {"workflow_run"}
    assert triggers(workflow)["workflow_run"]["workflows"] == [load("pull-request.yml")["name"]]
    job = workflow["jobs"]["plan"]
    for path in WORKFLOWS:
        assert "download-artifact" not in path.read_text(), path.name
    runs = [step.get("run", "") for step in job["steps"]]
    plan = next(command for command in runs if "tenantctl plan" in command)
    assert '--head "$HEAD_SHA"' in plan and "--base" in plan and '--output "$RUNNER_TEMP/plan.md"' in plan
    post = next(command for command in runs if "post-comment" in command)
    assert '--body-file "$RUNNER_TEMP/plan.md"' in post and '--head-sha "$HEAD_SHA"' in post
    assert runs.index(plan) < runs.index(post)
    find = next(command for command in runs if "find-pr" in command)
    assert "--head-sha" in find and runs.index(find) < runs.index(post)
    stacks = next(command for command in runs if "affected-stacks" in command)
    assert "--preview-environments" in stacks and '--head "$HEAD_SHA"' in stacks


def test_previews_run_trusted_code_behind_the_right_environment() -> None:
    preview = load("pull-request-review.yml")["jobs"]["preview"]
    assert "github.event.workflow_run.head_repository.full_name == github.repository" in preview["if"]
    assert preview["environment"] == "${{ matrix.environment }}"
    assert preview["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.plan.outputs.stacks) }}"
    [pulumi] = steps_using(preview, "pulumi/actions@")
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["refresh"] is True and pulumi["with"]["work-dir"] == "trusted"
    steps = preview["steps"]
    ids = [step.get("id") for step in steps]
    assert ids.index("install") < ids.index("stage") < ids.index("kubeconfig") < ids.index("preview")
    assert "tenantctl ci stage-data" in steps[ids.index("stage")]["run"]


def test_a_failed_preview_reaches_the_pull_request() -> None:
    """pulumi/actions comments only after success (src/main.ts:120 vs :153-161): our own step reports failures."""
    from tenantctl.ci.preview import STEP_NAMES

    preview = load("pull-request-review.yml")["jobs"]["preview"]
    last = preview["steps"][-1]
    assert last["if"] == "failure()"
    assert last["env"]["STEPS"] == "${{ toJSON(steps) }}"
    assert "tenantctl ci preview-failed" in last["run"] and "GITHUB_STEP_SUMMARY" in last["run"]
    assert "--pr" in last["run"] and "--head-sha" in last["run"]
    ids = {step["id"] for step in preview["steps"] if "id" in step}
    assert ids == set(STEP_NAMES), "every step that can fail before the preview ends has a name for reviewers"
    assert preview["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_apply_and_drift_run_the_pushed_code() -> None:
    for path in ("apply.yml", "drift.yml"):
        workflow = load(path)
        assert set(triggers(workflow)) <= {"push", "schedule", "workflow_dispatch"}
        for job in workflow["jobs"].values():
            for step in steps_using(job, "actions/checkout"):
                assert "ref" not in step["with"] and "repository" not in step["with"]
