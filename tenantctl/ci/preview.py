"""A failed `pulumi preview` must reach the pull request, not only a red check.

pulumi/actions posts its PR comment only after the command succeeded: `src/main.ts:120` awaits the command,
a failure throws to the catch at `src/main.ts:178-183` (`core.setFailed`), so the comment at
`src/main.ts:153-161` (`handlePullRequestMessage`) never runs (pulumi/actions@deb0aa3). The preview job
therefore writes its own summary and a short comment naming the failing step.
"""

from __future__ import annotations

import json

from tenantctl.source.inert import code

PREVIEW = "-preview"  # environment `<stack>-preview`: PRs that change only tenant files
REVIEWED_PREVIEW = "-preview-reviewed"  # `<stack>-preview-reviewed`: required reviewers (the platform team)


def preview_marker(stack: str) -> str:
    return f"<!-- tenant-platform-preview-failed:{''.join(c for c in stack if c.isalnum() or c in '-_.')} -->"


def failing_step(steps_json: str) -> str | None:
    """The id of the first step whose outcome is `failure`, from the workflow's `toJSON(steps)`."""
    try:
        steps = json.loads(steps_json) if steps_json.strip() else {}
    except json.JSONDecodeError:
        return None
    if not isinstance(steps, dict):
        return None
    for step_id, result in steps.items():
        if isinstance(result, dict) and result.get("outcome") == "failure":
            return str(step_id)
    return None


STEP_NAMES = {
    "install": "install the trusted code",
    "stage": "stage the pull request's tenant files",
    "kubeconfig": "write the kubeconfig",
    "preview": "pulumi preview (with the policy pack)",
}


def preview_failure_markdown(stack: str, step: str | None, run_url: str | None) -> str:
    where = code(STEP_NAMES.get(step, step)) if step else "a step before the preview finished"
    log = f"[the run's log]({run_url})" if run_url else "the run's log"
    return (f"{preview_marker(stack)}\n### ❌ Preview failed: stack {code(stack)}\n\n"
            f"The failing step: {where}. The preview of this pull request did not complete, so nothing here says "
            f"what it would do to the cluster. See {log} and its job summary. Typical causes: a policy violation, "
            "a protected resource that would be deleted or replaced, a missing or expired kubeconfig.\n")
