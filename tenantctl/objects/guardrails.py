"""The resource-level guardrails: CrossGuard policies as plain validator functions.

The same policies run in three places: inside `pulumi preview/up` (the pack in `policies/` builds a
`PolicyPack` from `build_policies`), in the PR and on a laptop (`tenantctl check` runs them offline over the
desired state with `check_objects`). Importing this module never constructs a `PolicyPack` (that starts a server).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pulumi_policy import (
    Policy,
    PolicyComplianceFramework,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from tenantctl.model.settings import Settings
from tenantctl.objects import deploy_guardrails
from tenantctl.objects.desired_state import DATA_KINDS, LABEL_PREFIX, RELEASED_ANNOTATION, Obj, object_id
from tenantctl.objects.guardrails_hardening import HARDENING_SPECS, hardening_validators
from tenantctl.objects.policy_base import (
    BIO,
    PROJECT,
    REQUIRED_LABELS,
    TENANT_LABEL,
    GuardrailSpec,
    _kind,
    _labels,
    _name,
)
from tenantctl.objects.registration import TYPE_TOKENS, offline_urn, registration


def _tenant_namespaces(resources: Iterable[PolicyResource]) -> dict[str, PolicyResource]:
    return {_name(r.props): r for r in resources
            if _kind(r.resource_type) == "Namespace" and TENANT_LABEL in _labels(r.props)}


def _namespaced(resources: Iterable[PolicyResource], kind: str) -> list[PolicyResource]:
    return [r for r in resources if _kind(r.resource_type) == kind]


# --- resource policies ---------------------------------------------------------------------------------------

def no_cluster_admin(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _kind(args.resource_type) in ("RoleBinding", "ClusterRoleBinding"):
        role = (args.props.get("roleRef") or {}).get("name")
        if role == "cluster-admin":
            report(f"{_name(args.props)} binds cluster-admin: bind tenant groups to admin, edit or view instead", None)


def storage_class_allowed(settings: Settings) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    allowed = settings.storage.allowed_classes

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if _kind(args.resource_type) == "PersistentVolumeClaim":
            storage_class = (args.props.get("spec") or {}).get("storageClassName")
            if storage_class not in allowed:
                report(f"volume {_name(args.props)} uses storage class {storage_class!r}: use one of "
                       f"{', '.join(allowed)}", None)
    return validate


def data_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    released = ((args.props.get("metadata") or {}).get("annotations") or {}).get(RELEASED_ANNOTATION) == "true"
    if _kind(args.resource_type) in DATA_KINDS and not args.opts.protect and not released:
        report(f"{_kind(args.resource_type)} {_name(args.props)} is not protected: register it with "
               "protect=True and retain_on_delete=True so no run can delete its data", None)


# --- per-namespace guarantees checked resource by resource (issue 13) -----------------------------------------
# Resource policies run before each step, on the inputs, in preview and up (pulumi/pulumi
# pkg/resource/deploy/step_generator.go: analyzer `Analyze` per resource before the step is generated), so they
# block before anything is applied. Whether a namespace HAS a quota/limit range/default-deny/backup can only be
# seen across resources: those stay stack policies, which `pulumi up` runs after all steps were applied
# (pkg/resource/deploy/deployment_executor.go:408-416, AnalyzeResources after the step loop). docs/guardrails.md.

QUOTA_KEYS = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "requests.storage",
              "persistentvolumeclaims", "pods")


def quota_bounded(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """A tenant ResourceQuota bounds cpu, memory, storage, claims and pods (before it is applied)."""
    if _kind(args.resource_type) != "ResourceQuota" or TENANT_LABEL not in _labels(args.props):
        return
    hard = (args.props.get("spec") or {}).get("hard") or {}
    missing = [key for key in QUOTA_KEYS if key not in hard]
    if missing:
        report(f"ResourceQuota {_name(args.props)} does not bound {', '.join(missing)}", None)


def limit_range_defaults(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """A tenant LimitRange gives containers default requests and limits for cpu and memory."""
    if _kind(args.resource_type) != "LimitRange" or TENANT_LABEL not in _labels(args.props):
        return
    items = [item for item in (args.props.get("spec") or {}).get("limits") or [] if item.get("type") == "Container"]
    complete = any(all(res in (item.get(part) or {}) for part in ("default", "defaultRequest")
                       for res in ("cpu", "memory")) for item in items)
    if not complete:
        report(f"LimitRange {_name(args.props)} has no Container default and defaultRequest for cpu and memory",
               None)


def required_labels(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _kind(args.resource_type) == "Namespace" and TENANT_LABEL in _labels(args.props):
        missing = [label for label in REQUIRED_LABELS if not _labels(args.props).get(label)]
        if missing:
            report(f"namespace {_name(args.props)} lacks labels {', '.join(missing)}: they drive cost, "
                   "ownership and audit reports", None)


def pod_security_restricted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _kind(args.resource_type) == "Namespace" and TENANT_LABEL in _labels(args.props):
        level = _labels(args.props).get("pod-security.kubernetes.io/enforce")
        if level != "restricted":
            report(f"namespace {_name(args.props)} enforces Pod Security {level or 'nothing'}: set "
                   "pod-security.kubernetes.io/enforce=restricted", None)


# --- stack policies (they see every resource) ----------------------------------------------------------------

def _every_namespace_has(kind: str, what: str, matches: Callable[[PolicyResource], bool] = lambda _resource: True
                         ) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        covered = {(r.props.get("metadata") or {}).get("namespace")
                   for r in _namespaced(args.resources, kind) if matches(r)}
        for name, namespace in sorted(_tenant_namespaces(args.resources).items()):
            if name not in covered:
                report(f"tenant namespace {name} has no {what}", namespace.urn)
    return validate


def _is_default_deny(resource: PolicyResource) -> bool:
    spec = resource.props.get("spec") or {}
    return spec.get("podSelector") == {} and "Ingress" in (spec.get("policyTypes") or []) and not spec.get("ingress")


def backups_where_required(settings: Settings) -> Callable[[StackValidationArgs, ReportViolation], None]:
    classified = set(settings.backups.required_for_classifications)

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        backed_up = {ns for r in _namespaced(args.resources, "Schedule")
                     for ns in ((r.props.get("spec") or {}).get("template") or {}).get("includedNamespaces", [])}
        for name, namespace in sorted(_tenant_namespaces(args.resources).items()):
            labels = _labels(namespace.props)
            required = labels.get(f"{LABEL_PREFIX}/production") == "true" or \
                labels.get(f"{LABEL_PREFIX}/data-classification") in classified
            if required and name not in backed_up:
                report(f"tenant namespace {name} (production or {'/'.join(sorted(classified))} data) has no "
                       "Velero backup Schedule: add `backups:` to its environment", namespace.urn)
    return validate


# --- the catalogue -------------------------------------------------------------------------------------------

SPECS = {
    "tenant-namespace-has-quota": GuardrailSpec(
        "tenant-namespace-has-quota", "Every tenant namespace has a ResourceQuota, so one team cannot take the "
        "cluster's capacity.", ("12.1.3",), "Every environment gets `tenant-quota` from its cpu/memory."),
    "tenant-namespace-has-limit-range": GuardrailSpec(
        "tenant-namespace-has-limit-range", "Every tenant namespace has a LimitRange, so containers without "
        "requests/limits still fit the quota.", ("12.1.3",), "Every environment gets `tenant-defaults`."),
    "tenant-namespace-default-deny": GuardrailSpec(
        "tenant-namespace-default-deny", "Every tenant namespace denies ingress by default; only the same "
        "namespace and the ingress controller may connect.", ("13.1.3",),
        "Every environment gets NetworkPolicy `default-deny-ingress`."),
    "tenant-namespace-has-backup": GuardrailSpec(
        "tenant-namespace-has-backup", "Production namespaces and namespaces holding BBN2/BBN3 data are backed "
        "up by a Velero Schedule.", ("12.3.1", "U.04"), "Add `backups: {per_day: N, retention_days: D}`."),
    "no-cluster-admin-binding": GuardrailSpec(
        "no-cluster-admin-binding", "No RoleBinding or ClusterRoleBinding grants cluster-admin: tenant groups get "
        "admin, edit or view in their own namespaces only.", ("9.2",), "Use `access.admin` for full control "
        "of a namespace."),
    "pvc-storage-class-allowed": GuardrailSpec(
        "pvc-storage-class-allowed", "Volumes use a storage class the platform offers (and backs up and prices).",
        (), "Set `storage_class` to an allowed class or leave it out for the default."),
    "data-resources-protected": GuardrailSpec(
        "data-resources-protected", "Namespaces and volumes are protected in Pulumi, so no run deletes data by "
        "accident; deleting is a separate, deliberate step.", ("12.3.1",),
        "Register with protect=True and retain_on_delete=True (components/kubernetes_objects.py)."),
    "tenant-namespace-labels": GuardrailSpec(
        "tenant-namespace-labels", "Tenant namespaces carry the labels that say who owns them, who pays and "
        "how sensitive the data is.", ("8.1.2",), "Labels come from `owner` and `data_classification`."),
    "tenant-namespace-pod-security": GuardrailSpec(
        "tenant-namespace-pod-security", "Tenant namespaces enforce Pod Security `restricted` (no privileged or "
        "root containers).", ("14.2.5",), "Set pod-security.kubernetes.io/enforce=restricted."),
    "tenant-quota-bounded": GuardrailSpec(
        "tenant-quota-bounded", "Each tenant ResourceQuota bounds cpu, memory, storage, volume claims and pods; "
        "checked on the resource before it is applied.", ("12.1.3",), "The quota comes from the environment's "
        "cpu, memory and storage."),
    "tenant-limit-range-defaults": GuardrailSpec(
        "tenant-limit-range-defaults", "Each tenant LimitRange gives containers default requests and limits for "
        "cpu and memory; checked on the resource before it is applied.", ("12.1.3",),
        "Defaults come from `container_defaults` in platform/settings.yaml."),
    deploy_guardrails.POLICY_ID: GuardrailSpec(
        deploy_guardrails.POLICY_ID, deploy_guardrails.DESCRIPTION, ("9.2", "9.2.4"),
        deploy_guardrails.REMEDIATION),
}


SPECS.update(HARDENING_SPECS)


def build_policies(settings: Settings) -> list[Policy]:
    """The policy objects (not the pack): the pack's `policies`, and what `check_objects` runs."""
    resource = {
        "no-cluster-admin-binding": no_cluster_admin,
        "pvc-storage-class-allowed": storage_class_allowed(settings),
        "data-resources-protected": data_protected,
        "tenant-namespace-labels": required_labels,
        "tenant-namespace-pod-security": pod_security_restricted,
        deploy_guardrails.POLICY_ID: deploy_guardrails.deployer_bindings(settings),
        "tenant-quota-bounded": quota_bounded,
        "tenant-limit-range-defaults": limit_range_defaults,
        **hardening_validators(settings),
    }
    stack = {
        "tenant-namespace-has-quota": _every_namespace_has("ResourceQuota", "ResourceQuota"),
        "tenant-namespace-has-limit-range": _every_namespace_has("LimitRange", "LimitRange"),
        "tenant-namespace-default-deny": _every_namespace_has("NetworkPolicy", "default-deny ingress "
                                                              "NetworkPolicy", _is_default_deny),
        "tenant-namespace-has-backup": backups_where_required(settings),
    }
    policies: list[Policy] = []
    for policy_id, spec in SPECS.items():
        framework = (PolicyComplianceFramework(name=BIO, reference=", ".join(spec.bio_controls) or None)
                     if spec.bio_controls else None)
        if policy_id in resource:
            policies.append(ResourceValidationPolicy(
                name=policy_id, description=spec.description, enforcement_level=spec.level,
                remediation_steps=spec.remediation, framework=framework, validate=resource[policy_id]))
        else:
            policies.append(StackValidationPolicy(
                name=policy_id, description=spec.description, enforcement_level=spec.level,
                remediation_steps=spec.remediation, framework=framework, validate=stack[policy_id]))
    return policies


# --- offline runner ------------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Violation:
    policy: str
    level: str
    tenant: str
    object: str
    message: str


def _options(obj: Obj) -> PolicyResourceOptions:
    """The options the Pulumi program gives this object (the same `registration` components/ uses)."""
    return PolicyResourceOptions(protect=registration(obj).protect, ignore_changes=[], delete_before_replace=None,
                                 aliases=[], custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
                                 additional_secret_outputs=[])


def check_objects(objects: list[Obj], settings: Settings,
                  options: Callable[[Obj], PolicyResourceOptions] = _options) -> list[Violation]:
    """Run every policy over desired-state objects, as `pulumi preview --policy-pack` would."""
    by_urn = {offline_urn(obj, PROJECT): obj for obj in objects}
    resources = [PolicyResource(TYPE_TOKENS[obj["kind"]], obj, urn, urn.rsplit("::", 1)[1], options(obj),
                                None, None, [], {}) for urn, obj in by_urn.items()]
    violations: list[Violation] = []
    for policy in build_policies(settings):
        level = policy.enforcement_level.value if policy.enforcement_level else "mandatory"

        def report(message: str, urn: str | None, _policy: Policy = policy, _level: str = level,
                   _default: Obj | None = None) -> None:
            obj = by_urn.get(urn or "") or _default
            tenant = _labels(obj or {}).get(TENANT_LABEL, "?") if obj else "?"
            violations.append(Violation(_policy.name, _level, tenant, object_id(obj) if obj else "(stack)", message))

        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                args = ResourceValidationArgs(resource.resource_type, resource.props, resource.urn, resource.name,
                                              resource.opts, None)
                policy.validate(args, functools.partial(report, _default=by_urn[resource.urn]))
        elif isinstance(policy, StackValidationPolicy):
            policy.validate(StackValidationArgs(resources), report)
    return sorted(violations)
