"""Deploy identities added and removed by a change, read from the RoleBindings that would be applied.

A new production deploy identity is a new way into production that no person has to use: it needs the owning
team's review, so the plan lists it in its summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tenantctl.objects.deploy_access import DEPLOY_LABEL, LABEL_PREFIX
from tenantctl.objects.desired_state import Obj


@dataclass(frozen=True, order=True)
class DeployChange:
    """`+ github:repo:MinBZK/amt:environment:production may deploy to amt-prod`."""

    namespace: str
    user: str
    change: Literal["added", "removed"]
    identity: str
    production: bool

    def text(self) -> str:
        verb = "may now deploy to" if self.change == "added" else "may no longer deploy to"
        return f"{self.identity} ({self.user}) {verb} {self.namespace}" + (" (production)" if self.production
                                                                           else "")


def deploy_bindings(objects: list[Obj]) -> dict[tuple[str, str], Obj]:
    """Deploy RoleBindings by (namespace, user)."""
    return {(obj["metadata"]["namespace"], subject["name"]): obj for obj in objects
            if obj["kind"] == "RoleBinding" and obj["metadata"].get("labels", {}).get(DEPLOY_LABEL) == "true"
            for subject in obj["subjects"]}


def deploy_changes(before: list[Obj], after: list[Obj]) -> list[DeployChange]:
    old, new = deploy_bindings(before), deploy_bindings(after)
    changes = []
    for key in sorted(old.keys() | new.keys()):
        if key in old and key in new:
            continue
        obj = new.get(key) or old[key]
        meta = obj["metadata"]
        changes.append(DeployChange(
            namespace=key[0], user=key[1], change="added" if key in new else "removed",
            identity=meta.get("annotations", {}).get(f"{LABEL_PREFIX}/deploy-identity", key[1]),
            production=meta.get("labels", {}).get(f"{LABEL_PREFIX}/production") == "true"))
    return changes


def deploy_access_line(objects: list[Obj]) -> str:
    """One line for `tenantctl check`: how many pipeline identities may deploy, and into production."""
    bindings = deploy_bindings(objects)
    production = sum(1 for obj in bindings.values()
                     if obj["metadata"].get("labels", {}).get(f"{LABEL_PREFIX}/production") == "true")
    return (f"deploy access: {len(bindings)} pipeline identit{'y' if len(bindings) == 1 else 'ies'} "
            f"({production} into production), all short-lived OIDC tokens bound to tenant-deployer"
            if bindings else "deploy access: no pipeline identities")
