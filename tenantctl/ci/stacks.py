"""Which Pulumi stacks a change affects: the clusters whose desired state differs between base and head."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tenantctl.checks.loading import Fleet
from tenantctl.checks.revision import RevisionError, load_revision
from tenantctl.model.settings import Settings
from tenantctl.objects.desired_state import fleet_state

# A change to any of these can change every stack.
PROGRAM_PATHS = ("platform/", "components/", "policies/", "__main__.py", "Pulumi.yaml", "pyproject.toml",
                 "tenantctl/objects/desired_state.py", "tenantctl/objects/guardrails.py")


MAX_REF_LENGTH = 256


def verify_revision(root: Path, ref: str) -> str:
    """The commit id `ref` names, checked before git sees it in any other command.

    A ref never starts with '-' (git would read `--output=FILE` as an option and truncate FILE), holds no control
    characters, and must name a commit: `git rev-parse --verify --end-of-options` resolves it, and only the
    40-hex id it prints is passed on."""
    if not ref or ref.startswith("-") or len(ref) > MAX_REF_LENGTH or any(ord(c) < 32 or c == "\x7f" for c in ref):
        raise RevisionError(f"{ref[:80]!r} is not a git revision: pass a branch, tag or commit id "
                            "(it may not start with '-')")
    try:
        result = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
                                cwd=root, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RevisionError(f"cannot run git: {exc}") from None
    commit = result.stdout.strip()
    if result.returncode != 0 or len(commit) not in (40, 64) or not all(c in "0123456789abcdef" for c in commit):
        raise RevisionError(f"{ref[:80]!r} is not a commit in this repository: fetch it first "
                            "(actions/checkout with fetch-depth: 0) or pass another revision")
    return commit


def changed_files(root: Path, base: str) -> list[str]:
    commit = verify_revision(root, base)
    try:
        result = subprocess.run(["git", "diff", "--name-only", "--end-of-options", commit, "--"], cwd=root,
                                capture_output=True, check=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RevisionError(" ".join(str(getattr(exc, "stderr", "") or exc).split())) from None
    untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=root,
                               capture_output=True, check=True, text=True)
    return sorted(set(result.stdout.split()) | set(untracked.stdout.split()))


def _objects_by_cluster(fleet: Fleet, settings: Settings) -> dict[str, list]:
    clusters: dict[str, list] = {}
    for state in fleet_state([loaded.tenant for loaded in fleet.tenants], settings):
        clusters.setdefault(state.cluster, []).append(state)
    return clusters


def affected_stacks(root: Path, base: str, settings: Settings, head: Fleet) -> list[str]:
    """Stacks to preview or apply: every stack when the program or settings changed, else the changed clusters."""
    base = verify_revision(root, base)  # from here on only the commit id reaches git
    files = changed_files(root, base)
    stack_files = {f"Pulumi.{cluster.stack}.yaml": cluster.stack for cluster in settings.clusters}
    if any(path.startswith(PROGRAM_PATHS) for path in files):
        return sorted(cluster.stack for cluster in settings.clusters)
    base_settings, base_fleet = load_revision(root, base, settings)
    before, after = _objects_by_cluster(base_fleet, base_settings), _objects_by_cluster(head, settings)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    stacks = {cluster.stack for cluster in settings.clusters if cluster.name in changed}
    stacks |= {stack for path, stack in stack_files.items() if path in files}
    return sorted(stacks)


def matrix(stacks: list[str]) -> list[dict[str, str]]:
    """A GitHub matrix `include` list. Each stack's kubeconfig is the secret KUBECONFIG of the GitHub environment
    named after the stack (`<stack>` for applies, `<stack>-preview` for previews)."""
    return [{"stack": stack} for stack in stacks]
