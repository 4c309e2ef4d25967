"""Which Pulumi stacks a change affects: the clusters whose desired state differs between base and head.

Every stack is affected when anything changed that can change what the program registers (see
`tenantctl.review.gate.is_program_path`: tenantctl/, components/, __main__.py, policies/, platform/,
Pulumi*.yaml, pyproject.toml, requirements/*.lock), or when a side cannot be read cleanly: when in doubt, all.
"""

from __future__ import annotations

from pathlib import Path

from tenantctl.checks.revision import RevisionError, Side, read_side
from tenantctl.model.settings import Settings
from tenantctl.objects.desired_state import EnvironmentState, fleet_state
from tenantctl.review.gate import is_program_path
from tenantctl.source.tree import changed_paths

__all__ = ["RevisionError", "affected_stacks", "changed_paths", "matrix"]


def _objects_by_cluster(side: Side) -> dict[str, list[EnvironmentState]]:
    clusters: dict[str, list[EnvironmentState]] = {}
    for state in fleet_state([loaded.tenant for loaded in side.fleet.tenants], side.settings):
        clusters.setdefault(state.cluster, []).append(state)
    return clusters


def affected_stacks(root: Path, base: str, head: str | None = None) -> list[str]:
    """Stacks to preview or apply between `base` and `head` (a revision, or the working tree when None)."""
    head_side = read_side(root, head)
    base_side = read_side(root, base, head_side.settings)
    every = _all(head_side.settings, base_side.settings)
    files = changed_paths(root, base_side.commit or "", head_side.commit)
    if any(is_program_path(path) for path in files) or head_side.errors or \
            [p for p in base_side.errors if p.path not in {t.path for t in base_side.fleet.tenants}]:
        return every
    before, after = _objects_by_cluster(base_side), _objects_by_cluster(head_side)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    return sorted({cluster.stack for cluster in head_side.settings.clusters + base_side.settings.clusters
                   if cluster.name in changed})


def _all(*settings: Settings) -> list[str]:
    return sorted({cluster.stack for each in settings for cluster in each.clusters})


def matrix(stacks: list[str], environment_suffix: str | None = None) -> list[dict[str, str]]:
    """A GitHub matrix `include` list. Each stack's kubeconfig is the secret KUBECONFIG of the GitHub environment
    named after the stack (`<stack>` for applies, `<stack><suffix>` for previews)."""
    if environment_suffix is None:
        return [{"stack": stack} for stack in stacks]
    return [{"stack": stack, "environment": f"{stack}{environment_suffix}"} for stack in stacks]
