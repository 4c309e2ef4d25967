"""The review gate: everything besides tenant objects that changes what gets applied, and the lifecycle rules
that compare a tenant with its base.

Kept apart from `plan.py` (objects and cost) so the two evolve separately. `apply_gate` fills in the plan's
gate fields; the reports put them in the summary, before any detail:

- a field-level diff of the platform settings (approvals are judged against the BASE settings; any settings
  change needs platform approval);
- the files changed outside `tenants/`: program files (they change what every stack registers), workflow
  files, and other files;
- base files that cannot be read: a loud, blocking error, never a tenant that silently disappears;
- lifecycle: `retain_until` at least N days ahead when first set or moved earlier (blocking), and platform
  approval for re-activation, owner/group changes of a decommissioned tenant, a classification downgrade,
  backups removed from classified or production environments, and a production-looking environment marked
  non-production.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Tenant
from tenantctl.rules.domain import is_production
from tenantctl.source.tree import TENANTS_DIR

if TYPE_CHECKING:
    from tenantctl.checks.revision import Side
    from tenantctl.review.plan import FieldChange, Plan

# Changes here can change what the Pulumi program registers, on every stack.
PROGRAM_PREFIXES = ("tenantctl/", "components/", "policies/", "platform/", "requirements/")
PROGRAM_FILES = ("__main__.py", "pyproject.toml", "setup.py", "setup.cfg")
PROGRAM_PATTERN = re.compile(r"Pulumi[^/]*\.ya?ml")
WORKFLOW_PREFIXES = (".github/",)
CLASSIFICATION_RANK = {"BBN1": 1, "BBN2": 2, "BBN3": 3}
PRODUCTION_WORDS = {"prod", "prd", "production", "live", "prod1", "prod2"}


def is_program_path(path: str) -> bool:
    """A path whose change can change what the program registers (so every stack is affected)."""
    return path.startswith(PROGRAM_PREFIXES) or path in PROGRAM_FILES or bool(PROGRAM_PATTERN.fullmatch(path))


def classify_paths(paths: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(program files, workflow files, other files) among changed paths outside tenants/."""
    outside = [path for path in paths if not path.startswith(f"{TENANTS_DIR}/") and path != TENANTS_DIR]
    program = [path for path in outside if is_program_path(path)]
    workflow = [path for path in outside if path.startswith(WORKFLOW_PREFIXES)]
    other = [path for path in outside if path not in program and path not in workflow]
    return program, workflow, other


def looks_like_production(env_name: str, settings: Settings) -> bool:
    """A name a reader takes for production: in the platform's list, or made of production words."""
    words = set(re.split(r"[-_.]", env_name))
    return (env_name in settings.production_environments or bool(words & PRODUCTION_WORDS)
            or bool(words & set(settings.production_environments)) or env_name.startswith("prod"))


def lifecycle(base: Tenant | None, head: Tenant | None, base_settings: Settings,
              today: datetime.date) -> tuple[list[str], list[str]]:
    """(blocking errors, approval reasons) of one tenant's change, judged against the base and its settings."""
    errors: list[str] = []
    approvals: list[str] = []
    if head is None:
        return errors, approvals
    min_days = base_settings.lifecycle.min_retention_days
    earliest = today + datetime.timedelta(days=min_days)
    if not head.active and head.retain_until is not None:
        first_set = base is None or base.active or base.retain_until is None
        moved_earlier = not first_set and base is not None and base.retain_until is not None \
            and head.retain_until < base.retain_until
        if (first_set or moved_earlier) and head.retain_until < earliest:
            what = "set" if first_set else "moved earlier"
            errors.append(f"{head.name}: retain_until {head.retain_until.isoformat()} is {what} less than "
                          f"{min_days} days ahead: keep the data until {earliest.isoformat()} or later "
                          "(platform settings lifecycle.min_retention_days)")
    if base is None:
        approvals += _production_lookalikes(head, base_settings)
        return errors, approvals
    if not base.active and head.active:
        approvals.append("re-activates a decommissioned tenant")
    if (not base.active or not head.active) and (base.owner != head.owner or base.access != head.access):
        differs = (("owner", base.owner != head.owner), ("groups", base.access != head.access))
        changed = [part for part, different in differs if different]
        approvals.append(f"changes the {' and '.join(changed)} of a decommissioned tenant")
    old, new = CLASSIFICATION_RANK[base.data_classification], CLASSIFICATION_RANK[head.data_classification]
    if new < old:
        approvals.append(f"downgrades the data classification {base.data_classification} → "
                         f"{head.data_classification}")
    required = base_settings.backups.required_for_classifications
    for env_name, env in sorted(base.environments.items()):
        after = head.environments.get(env_name)
        if env.backups is None or after is None or after.backups is not None:
            continue
        if base.data_classification in required or head.data_classification in required \
                or is_production(env_name, env, base_settings) or is_production(env_name, after, base_settings):
            approvals.append(f"{env_name}: removes the backups of a {base.data_classification} or production "
                             "environment")
    approvals += _production_lookalikes(head, base_settings)
    return errors, approvals


def _production_lookalikes(head: Tenant, settings: Settings) -> list[str]:
    return [f"{env_name}: named like production but marked `production: false`"
            for env_name, env in sorted(head.environments.items())
            if env.production is False and looks_like_production(env_name, settings)]


def apply_gate(plan: Plan, base: Side | None, head: Side, changed: list[str] | None,
               today: datetime.date) -> None:
    """Fill in the plan's gate fields from both sides and the changed paths (None: not known)."""
    if base is not None:
        _compare_sides(plan, base, head)
    plan.warnings += [f"head: {problem.path} {problem.message}" for problem in head.warnings]
    if changed is not None:
        plan.program_files, plan.workflow_files, plan.other_files = classify_paths(changed)
        if plan.program_files:
            plan.platform_approvals.append(f"platform code changed ({len(plan.program_files)} file(s)): "
                                           "all stacks affected")
        if plan.workflow_files:
            plan.platform_approvals.append(f"CI workflows changed ({len(plan.workflow_files)} file(s))")
    old = base.fleet.by_name() if base is not None else {}
    new = head.fleet.by_name()
    base_settings = base.settings if base is not None else head.settings
    for item in plan.tenants:
        errors, approvals = lifecycle(old.get(item.tenant), new.get(item.tenant), base_settings, today)
        plan.blocking += errors
        item.approvals += [reason for reason in approvals if reason not in item.approvals]
        if approvals and item.status == "unchanged":
            item.status = "changed"  # e.g. groups of a decommissioned tenant: no object changes, still a change


def _compare_sides(plan: Plan, base: Side, head: Side) -> None:
    """Settings diff, and what the base holds that cannot be read (blocking unless the head fixes that file)."""
    plan.settings_changes = settings_changes(base.settings, head.settings)
    if plan.settings_changes:
        plan.platform_approvals.append(f"platform settings changed ({len(plan.settings_changes)} field(s))")
    if base.settings_note:
        plan.warnings.append(f"base: {base.settings_note}")
    head_valid = {loaded.path for loaded in head.fleet.tenants}
    base_loaded = {loaded.path for loaded in base.fleet.tenants}
    for problem in base.errors:
        if problem.path in base_loaded:
            continue  # the file was read; rules across files are judged on the head
        if problem.path in head_valid:
            plan.warnings.append(f"base file {problem.path} could not be read ({problem.message}); it is "
                                 "valid now and is compared as new")
        else:
            plan.blocking.append(f"base file {problem.path} cannot be read: {problem.message}. The plan "
                                 "cannot tell what happens to this tenant")
    plan.warnings += [f"base: {problem.path} {problem.message}" for problem in base.warnings]


def settings_changes(before: Settings, after: Settings) -> tuple[FieldChange, ...]:
    from tenantctl.review.plan import field_changes

    return field_changes(before.model_dump(mode="json"), after.model_dump(mode="json"))
