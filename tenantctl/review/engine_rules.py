"""Changes the engine cannot apply in place to protected resources: a rule table, checked base vs head.

`tenantctl validate --base REF` and `tenantctl plan --base REF` refuse these at file:line with the reason and
the way out. Each row cites the upstream code whose behaviour it predicts. The checks compare the desired state
at the base (what exists, protected, in the stack) with the head (what the program would register).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tenantctl.checks.loading import Fleet
from tenantctl.model.loaded import LoadedTenant
from tenantctl.model.quantity import format_bytes, parse_bytes
from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Tenant
from tenantctl.objects.desired_state import EnvironmentState, Obj, tenant_state
from tenantctl.objects.registration import registration
from tenantctl.source.problems import Problem


@dataclass(frozen=True)
class EngineRule:
    """One change Pulumi or Kubernetes refuses for a protected object, and how to get there instead."""

    id: str
    change: str
    reason: str
    way_out: str
    upstream: str


# The rule table. Protected = registered with protect=True (pulumi/pulumi pkg/resource/deploy/step.go:646-648
# refuses to delete it, even in a preview: the check runs before the DryRun branch at step.go:650).
RULES: dict[str, EngineRule] = {rule.id: rule for rule in (
    EngineRule(
        "tenant-removed-while-protected", "removing a tenant file whose namespaces and volumes are still protected",
        "Pulumi refuses to delete a protected resource and fails the whole preview/up of the cluster's stack "
        "(every later run too, until someone runs `pulumi state unprotect`)",
        "follow the lifecycle: `status: decommissioned` with `retain_until`, merge and apply; after retain_until "
        "`status: released`, merge and apply; then remove the file",
        "pulumi/pulumi pkg/resource/deploy/step.go:646-648 (deleteProtectedError, before the DryRun branch)"),
    EngineRule(
        "environment-removed", "removing an environment of a tenant",
        "its Namespace and volumes are protected: Pulumi refuses to delete them and the stack's runs fail",
        "keep the environment; to retire data, decommission and release the whole tenant "
        "(docs in README, 'Tenant lifecycle')",
        "pulumi/pulumi pkg/resource/deploy/step.go:646-648 (deleteProtectedError)"),
    EngineRule(
        "environment-renamed", "renaming an environment (its namespace name changes)",
        "a new name is a new resource: Pulumi plans a create of the new Namespace and a delete of the protected old "
        "one, which it refuses",
        "keep the old environment name; add the new environment beside it if you need one",
        "pulumi-kubernetes provider/pkg/provider/provider.go:1560 (.metadata.name forces a new resource); "
        "pulumi/pulumi pkg/resource/deploy/step.go:646-648"),
    EngineRule(
        "environment-moved", "moving an environment to another cluster",
        "each cluster is its own stack: the old stack would delete the protected Namespace and volumes (refused) "
        "and the new one would create an empty namespace",
        "keep `cluster:`; moving data between clusters is a migration by the platform team (Velero restore into "
        "the new cluster, then release the old environment)",
        "pulumi/pulumi pkg/resource/deploy/step.go:646-648 (deleteProtectedError in the old stack)"),
    EngineRule(
        "volume-removed", "removing a persistent volume",
        "the PersistentVolumeClaim is protected: Pulumi refuses to delete it and the stack's runs fail",
        "keep the volume; the platform team removes data deliberately (README, 'Deleting data')",
        "pulumi/pulumi pkg/resource/deploy/step.go:646-648 (deleteProtectedError)"),
    EngineRule(
        "volume-renamed", "renaming a persistent volume",
        "a new name is a new PersistentVolumeClaim: a create plus a delete of the protected old claim, refused",
        "keep the old name; add a new volume beside it and copy the data yourself",
        "pulumi-kubernetes provider/pkg/provider/provider.go:1560 (.metadata.name forces a new resource); "
        "pulumi/pulumi pkg/resource/deploy/step.go:646-648"),
    EngineRule(
        "volume-storage-class", "changing the storage class of an existing volume",
        "pulumi-kubernetes replaces a PersistentVolumeClaim whose spec.storageClassName changes, and Pulumi refuses "
        "to replace a protected resource",
        "keep the class (write `storage_class: <old class>`); for a new class add a new volume and copy the data",
        "pulumi-kubernetes provider/pkg/provider/diff.go:112-115 (.spec.storageClassName forces replacement); "
        "pulumi/pulumi pkg/resource/deploy/step_generator.go:1954-1957 (no replace while protected)"),
    EngineRule(
        "volume-default-class", "a platform `default_class` change reaching a volume that has no explicit class",
        "the volume would be rendered with the new default class: a replacement of a protected claim, refused",
        "pin the existing class on the volume (`storage_class: <old class>`) in the same change; new volumes get "
        "the new default",
        "pulumi-kubernetes provider/pkg/provider/diff.go:112-115; "
        "pulumi/pulumi pkg/resource/deploy/step_generator.go:1954-1957"),
    EngineRule(
        "volume-access-modes", "changing the access modes of an existing volume",
        "pulumi-kubernetes replaces a PersistentVolumeClaim whose spec.accessModes change, and Pulumi refuses to "
        "replace a protected resource",
        "keep the access modes; add a new volume for the new mode and copy the data",
        "pulumi-kubernetes provider/pkg/provider/diff.go:112 (.spec.accessModes forces replacement); "
        "pulumi/pulumi pkg/resource/deploy/step_generator.go:1954-1957"),
    EngineRule(
        "volume-shrunk", "shrinking a persistent volume",
        "Kubernetes refuses to lower spec.resources.requests.storage of a bound claim "
        "(\"field can not be less than previous value\"), so the update fails on apply",
        "keep the size (or grow it); to get a smaller volume add a new one and copy the data",
        "kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimUpdate "
        "(newSize.Cmp(oldSize) < 0 -> Forbidden)"),
)}


def _problem(rule_id: str, at: tuple[LoadedTenant, Sequence[str | int]] | tuple[str, None], detail: str) -> Problem:
    rule = RULES[rule_id]
    message = f"{detail}: {rule.reason}. Way out: {rule.way_out} [engine rule {rule.id}]"
    target, loc = at
    if isinstance(target, str):
        return Problem(target, 1, 1, "", message)
    return target.document.problem(list(loc or []), message)


def removal_step(base: Tenant) -> str:
    """The lifecycle step that must be merged (and applied) before the tenant's file may go."""
    if base.active:
        return ("missing step: set `status: decommissioned` with `retain_until: YYYY-MM-DD`, merge and apply; after "
                "that date set `status: released`, merge and apply; only then remove the file")
    until = base.retain_until.isoformat() if base.retain_until else "retain_until"
    return (f"missing step: the base still shows `status: {base.status}`; after {until} set `status: released`, "
            "merge and apply, then remove the file")


def _protected(obj: Obj) -> bool:
    return registration(obj).protect


def _volume_loc(env_name: str, tenant: Tenant, volume: str, field: str | None = None) -> list[str | int]:
    names = [item.name for item in tenant.environments[env_name].storage]
    loc: list[str | int] = ["environments", env_name, "storage"]
    if volume in names:
        loc.append(names.index(volume))
        if field is not None:
            loc.append(field)
    return loc


def _size(obj: Obj) -> int:
    return parse_bytes(str(obj["spec"]["resources"]["requests"]["storage"]))


def _stack_of(settings: Settings | None, cluster: str) -> str | None:
    return next((item.stack for item in settings.clusters if item.name == cluster), None) if settings else None


def _environment_problems(loaded: LoadedTenant, old: EnvironmentState, new: EnvironmentState,
                          stacks: tuple[Settings, Settings] | None = None) -> list[Problem]:
    tenant, env = loaded.tenant, new.environment
    problems: list[Problem] = []
    old_stack = _stack_of(stacks[0] if stacks else None, old.cluster)
    new_stack = _stack_of(stacks[1] if stacks else None, new.cluster)
    if old.cluster == new.cluster and old_stack != new_stack:
        problems.append(_problem("environment-moved", (loaded, ["environments", env]),
                                 f"environment {env!r} moves from stack {old_stack!r} to {new_stack!r} (cluster "
                                 f"{new.cluster!r} got another stack in platform/settings.yaml)"))
        return problems
    if old.cluster != new.cluster:
        loc: list[str | int] = ["environments", env]
        if tenant.environments[env].cluster is not None:
            loc.append("cluster")
        problems.append(_problem("environment-moved", (loaded, loc),
                                 f"environment {env!r} moves from cluster {old.cluster!r} to {new.cluster!r}"))
        return problems
    before = {obj["metadata"]["name"]: obj for obj in old.objects if obj["kind"] == "PersistentVolumeClaim"}
    after = {obj["metadata"]["name"]: obj for obj in new.objects if obj["kind"] == "PersistentVolumeClaim"}
    gone = sorted(name for name in before.keys() - after.keys() if _protected(before[name]))
    came = sorted(after.keys() - before.keys())
    for name in gone:
        rule = "volume-renamed" if came else "volume-removed"
        detail = (f"volume {name!r} of environment {env!r} is removed" if not came else
                  f"volume {name!r} of environment {env!r} is renamed (removed; {', '.join(map(repr, came))} added)")
        problems.append(_problem(rule, (loaded, ["environments", env, "storage"]), detail))
    for name in sorted(before.keys() & after.keys()):
        was, now = before[name], after[name]
        if not _protected(was):
            continue
        volume = next(item for item in tenant.environments[env].storage if item.name == name)
        old_class, new_class = was["spec"].get("storageClassName"), now["spec"].get("storageClassName")
        if old_class != new_class:
            explicit = volume.storage_class is not None
            problems.append(_problem(
                "volume-storage-class" if explicit else "volume-default-class",
                (loaded, _volume_loc(env, tenant, name, "storage_class" if explicit else None)),
                f"volume {name!r} of environment {env!r}: storage class {old_class!r} -> {new_class!r}"
                + ("" if explicit else " (the platform default changed)")))
        if was["spec"].get("accessModes") != now["spec"].get("accessModes"):
            problems.append(_problem("volume-access-modes", (loaded, _volume_loc(env, tenant, name)),
                                     f"volume {name!r} of environment {env!r}: access modes "
                                     f"{was['spec'].get('accessModes')} -> {now['spec'].get('accessModes')}"))
        if _size(now) < _size(was):
            problems.append(_problem("volume-shrunk", (loaded, _volume_loc(env, tenant, name, "size")),
                                     f"volume {name!r} of environment {env!r} shrinks from "
                                     f"{format_bytes(_size(was))} to {format_bytes(_size(now))}"))
    return problems


def tenant_engine_problems(base: LoadedTenant | None, head: LoadedTenant | None, base_settings: Settings,
                           head_settings: Settings) -> list[Problem]:
    """What the engine would refuse when going from `base` to `head` for one tenant."""
    if base is None or base.tenant.released:
        return []  # nothing exists yet, or Pulumi may already forget (not delete) the released objects
    if head is None:
        return [_problem("tenant-removed-while-protected", (base.path, None),
                         f"tenant {base.tenant.name!r} is removed but the base shows `status: {base.tenant.status}`; "
                         f"{removal_step(base.tenant)}")]
    old = {state.environment: state for state in tenant_state(base.tenant, base_settings)}
    new = {state.environment: state for state in tenant_state(head.tenant, head_settings)}
    problems: list[Problem] = []
    removed = sorted(env for env in old.keys() - new.keys() if _protected(old[env].objects[0]))
    added = sorted(new.keys() - old.keys())
    for env in removed:
        if added:
            problems.append(_problem("environment-renamed", (head, ["environments"]),
                                     f"environment {env!r} is renamed (removed; {', '.join(map(repr, added))} added): "
                                     f"namespace {old[env].namespace!r} would be deleted"))
        else:
            problems.append(_problem("environment-removed", (head, ["environments"]),
                                     f"environment {env!r} is removed: namespace {old[env].namespace!r} and its "
                                     "volumes would be deleted"))
    for env in sorted(old.keys() & new.keys()):
        problems.extend(_environment_problems(head, old[env], new[env], (base_settings, head_settings)))
    return problems


def engine_problems(base: Fleet, head: Fleet, base_settings: Settings, head_settings: Settings) -> list[Problem]:
    """Every change from `base` to `head` that Pulumi or Kubernetes cannot apply to the protected objects."""
    old = {loaded.tenant.name: loaded for loaded in base.tenants}
    new = {loaded.tenant.name: loaded for loaded in head.tenants}
    problems: list[Problem] = []
    for name in sorted(old.keys() | new.keys()):
        problems.extend(tenant_engine_problems(old.get(name), new.get(name), base_settings, head_settings))
    return sorted(problems)
