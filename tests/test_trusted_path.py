"""Issue 12, end to end: a pull request that edits tenantctl's plan code to lie and deletes a tenant.

The PR's own code says "nothing deleted" and exits 0. The trusted path — the base's code, installed apart from
the repository, reading the PR's data from git objects — still reports the deletion and exits 1.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from tests.conftest import FIXTURE, REPO, git

LIE = '''

# --- added by the pull request: the plan never sees a deletion -----------------------------------------------
Plan.data_removals = property(lambda self: [])  # type: ignore[assignment]
Plan.blocking_removals = property(lambda self: [])  # type: ignore[assignment]
Plan.fails = property(lambda self: False)  # type: ignore[assignment]
'''


def run_tenantctl(code_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONPATH"] = str(code_dir)
    return subprocess.run([sys.executable, "-m", "tenantctl", *args], cwd=code_dir, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_lying_pull_request_cannot_hide_a_deletion_from_the_trusted_path(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    shutil.copytree(REPO / "tenantctl", repo / "tenantctl", ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")

    git(repo, "checkout", "-q", "-b", "pr")
    with (repo / "tenantctl/review/plan.py").open("a", encoding="utf-8") as stream:
        stream.write(LIE)
    (repo / "tenants/sandbox.yaml").unlink()
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=evil", "-c", "user.email=e@example.org", "commit", "-qm", "PR: tidy up")

    # The untrusted path: the PR's own code, run from its checkout, lies.
    untrusted = run_tenantctl(repo, "plan", "--root", str(repo), "--base", "main", "--head", "pr", "--format",
                              "markdown")
    assert untrusted.returncode == 0, untrusted.stderr
    assert "DATA WOULD BE DELETED" not in untrusted.stdout

    # The trusted path: the base's code, unpacked from git apart from the repository (as CI installs it from
    # the default branch), reads both sides of the PR from git objects.
    trusted_code = tmp_path / "trusted"
    trusted_code.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", "main", "tenantctl"], cwd=repo, capture_output=True,
                             check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(trusted_code, filter="data")
    trusted = run_tenantctl(trusted_code, "plan", "--root", str(repo), "--base", "main", "--head", "pr",
                            "--format", "markdown", "--provenance", "computed by the base's code")
    assert trusted.returncode == 1, trusted.stdout + trusted.stderr
    summary = trusted.stdout.split("<details>")[0]
    assert "DATA WOULD BE DELETED" in summary and "`sandbox`: `Namespace sandbox-dev`" in summary
    assert "**Platform code changed: all stacks affected**" in summary and "`tenantctl/review/plan.py`" in summary
    assert "1 namespace(s)/volume(s) would be deleted" in trusted.stderr
    # the working tree (the PR's checkout) was never needed: the same answer with the base checked out
    git(repo, "checkout", "-q", "main")
    again = run_tenantctl(trusted_code, "plan", "--root", str(repo), "--base", "main", "--head", "pr")
    assert again.returncode == 1 and "DATA WOULD BE DELETED" in again.stdout
