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


def changed_files(root: Path, base: str) -> list[str]:
    try:
        result = subprocess.run(["git", "diff", "--name-only", base, "--"], cwd=root, capture_output=True,
                                check=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise RevisionError(exc.stderr.strip()) from None
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
