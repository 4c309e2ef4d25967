"""What a failed nightly drift check means and what to do about it, for the job summary."""

from __future__ import annotations


def drift_summary(stack: str, run_url: str | None = None) -> str:
    """Markdown for the summary of a red drift run of `stack`."""
    log = f"[the run's log]({run_url})" if run_url else "the run's log"
    return (f"### Drift check failed: stack `{stack}`\n\n"
            f"Either the cluster no longer matches `main`, or the check could not run; {log} shows which step "
            "failed.\n\n"
            "| cause | what to do |\n|---|---|\n"
            "| someone changed the cluster by hand (kubectl, a console) | put the change in a tenant file through a "
            "pull request, or let the next apply undo it |\n"
            "| an apply failed or was never approved | rerun the `apply` workflow (Run workflow) and approve it in "
            f"the `{stack}` environment |\n"
            "| a drift check overlapped an apply | rerun this workflow |\n"
            "| kubeconfig, backend or passphrase missing or expired | fix the secrets of the "
            f"`{stack}-preview` environment (see docs/ci.md, Set up on your GitHub org) |\n\n"
            "Never run `pulumi refresh` to make this green without knowing why: it writes the cluster's state "
            "into Pulumi's and hides the difference.\n")
