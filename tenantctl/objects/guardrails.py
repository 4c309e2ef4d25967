"""The resource-level guardrails: CrossGuard policies as plain validator functions.

The same policies run in three places: inside `pulumi preview/up` (the pack in `policies/` builds a
`PolicyPack` from `build_policies`), in the PR and on a laptop (`tenantctl check` runs them offline over the
desired state with `check_objects`). Importing this module never constructs a `PolicyPack` (that starts a server).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
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
from tenantctl.objects.registration import COMPONENT_TYPE, KIND_OF_TYPE, TYPE_TOKENS, offline_urn, registration
from tenantctl.rules.deploy import DEPLOYER_ROLE

PROJECT = "tenant-platform"
TENANT_LABEL = f"{LABEL_PREFIX}/tenant"
REQUIRED_LABELS = tuple(f"{LABEL_PREFIX}/{name}" for name in
                        ("tenant", "environment", "team", "cost-center", "data-classification", "production"))
BIO = "BIO (Baseline Informatiebeveiliging Overheid)"


@dataclass(frozen=True)
class GuardrailSpec:
    """A policy's metadata, readable by reviewers and used for both the pack and `tenantctl check`."""

    id: str
    description: str
    bio_controls: tuple[str, ...]
    remediation: str
    level: EnforcementLevel = EnforcementLevel.MANDATORY


def _kind(resource_type: str) -> str | None:
    return KIND_OF_TYPE.get(resource_type)


def _labels(props: Mapping[str, Any]) -> Mapping[str, str]:
    return (props.get("metadata") or {}).get("labels") or {}


def _name(props: Mapping[str, Any]) -> str:
    return str((props.get("metadata") or {}).get("name", "?"))


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


# --- hardening: no bypass through unknown types, patches, cluster-wide bindings or wildcard roles ---------------
# Resource policies see each resource's type token and its input properties (camelCase) before every step:
# pulumi/pulumi-policy sdk/python/lib/pulumi_policy/policy.py:1002 builds `ResourceValidationArgs(request.type,
# props, ...)` for every resource the program registers (components and providers included).

# Types the program registers besides the Kubernetes objects in TYPE_TOKENS (its component, stack and providers).
INFRASTRUCTURE_TYPES = (COMPONENT_TYPE, "pulumi:pulumi:Stack")
ALLOWED_ROLES = ("admin", "edit", "view")
_BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")
_ROLE_KINDS = ("Role", "ClusterRole")


def _kind_of_token(resource_type: str) -> str:
    """`kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRoleBinding` -> `ClusterRoleBinding` (any version)."""
    return resource_type.rsplit(":", 1)[-1]


def known_resource_types(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Only the kinds the tenant program registers may appear: anything else (a ConfigMap, a CRD, a Helm chart, a
    `*Patch` of an object someone else owns) did not come from a tenant file and is refused."""
    resource_type = args.resource_type
    if resource_type in KIND_OF_TYPE or resource_type in INFRASTRUCTURE_TYPES or \
            resource_type.startswith("pulumi:providers:"):
        return
    if _kind_of_token(resource_type).endswith("Patch"):
        report(f"{resource_type} {_name(args.props)} patches an object the program does not own (server-side "
               "apply): tenant stacks never patch; remove it", None)
        return
    report(f"{resource_type} {_name(args.props)} is not a kind the tenant program registers "
           f"({', '.join(sorted(TYPE_TOKENS))}): remove it", None)


def namespace_is_tenant(settings: Settings) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    """Every Namespace the program registers is a tenant namespace, whatever its labels: one without the tenant
    label would escape every tenant policy, and a reserved name (kube-system, istio-system, ...) is never one."""
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if _kind_of_token(args.resource_type) != "Namespace":
            return
        name = str(_name(args.props))
        if TENANT_LABEL not in _labels(args.props):
            report(f"namespace {name} has no {TENANT_LABEL} label: every namespace this program registers is a "
                   "tenant namespace and must carry the tenant labels", None)
        reserved = settings.reserved_by(name)
        if reserved:
            report(f"namespace {name} is reserved for the platform (it matches {reserved!r}): tenants may not "
                   "claim it", None)
    return validate


def bindings_scoped(settings: Settings) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    """Access is granted only per tenant namespace: no ClusterRoleBinding, RoleBindings only to the built-in
    admin/edit/view ClusterRoles, only to groups (never `system:` groups, users or service accounts), and never
    in a reserved namespace such as kube-system."""
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        kind = _kind_of_token(args.resource_type)
        if kind not in _BINDING_KINDS:
            return
        name = _name(args.props)
        if kind == "ClusterRoleBinding":
            report(f"ClusterRoleBinding {name} grants its role in every namespace: tenant access is a RoleBinding "
                   "in the tenant's own namespace", None)
        role = args.props.get("roleRef") or {}
        if kind == "RoleBinding" and role.get("kind") == "ClusterRole" and role.get("name") == DEPLOYER_ROLE:
            _check_namespace(args, settings, report)
            return  # a deploy binding: its role and its User subjects are the `deploy-bindings-keyless` policy's
        if role.get("kind") != "ClusterRole" or role.get("name") not in ALLOWED_ROLES:
            report(f"{kind} {name} binds {role.get('kind')} {role.get('name')!r}: bind only the ClusterRoles "
                   f"{', '.join(ALLOWED_ROLES)}", None)
        for subject in args.props.get("subjects") or []:
            subject_kind, subject_name = (subject or {}).get("kind"), str((subject or {}).get("name") or "")
            if subject_kind != "Group" or not subject_name or subject_name.lower().startswith("system:"):
                report(f"{kind} {name} binds {subject_kind} {subject_name!r}: bind only identity-provider groups, "
                       "never system: groups, users or service accounts", None)
        if kind == "RoleBinding":
            _check_namespace(args, settings, report)
    return validate


def _check_namespace(args: ResourceValidationArgs, settings: Settings, report: ReportViolation) -> None:
    namespace = (args.props.get("metadata") or {}).get("namespace")
    if not namespace or settings.reserved_by(str(namespace)):
        report(f"RoleBinding {_name(args.props)} is in namespace {namespace!r}, which is not a tenant namespace: "
               "bind only in the tenant's own namespaces", None)


def no_wildcard_rules(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """A Role or ClusterRole with `*` in its API groups, resources, verbs or URLs grants whatever exists later."""
    if _kind_of_token(args.resource_type) not in _ROLE_KINDS:
        return
    for index, rule in enumerate(args.props.get("rules") or []):
        for field in ("apiGroups", "resources", "verbs", "nonResourceURLs", "resourceNames"):
            if any("*" in str(item) for item in (rule or {}).get(field) or []):
                report(f"{_kind_of_token(args.resource_type)} {_name(args.props)} rule {index} has a wildcard in "
                       f"{field}: list what is needed explicitly", None)
    if args.props.get("aggregationRule"):
        report(f"{_kind_of_token(args.resource_type)} {_name(args.props)} aggregates other roles: list its rules "
               "explicitly", None)


HARDENING_SPECS = {
    "known-resource-types": GuardrailSpec(
        "known-resource-types", "Only the kinds the tenant program creates (Namespace, ResourceQuota, LimitRange, "
        "NetworkPolicy, RoleBinding, PersistentVolumeClaim, Velero Schedule) may be registered; `*Patch` "
        "resources and anything else are refused.", ("12.1.2",), "Remove the resource; tenants change only "
        "tenants/<name>.yaml."),
    "namespace-is-tenant": GuardrailSpec(
        "namespace-is-tenant", "Every Namespace the program registers is a tenant namespace (tenant labels, not a "
        "reserved name such as kube-system or istio-system), so none escapes the tenant policies.", ("8.1.2",),
        "Namespaces come only from tenant environments."),
    "bindings-scoped": GuardrailSpec(
        "bindings-scoped", "No ClusterRoleBinding; RoleBindings only bind identity-provider groups (never "
        "system: groups, users or service accounts) to admin, edit or view, and never in reserved namespaces.",
        ("9.2",), "Grant access with `access.admin/edit/view` in the tenant file."),
    "no-wildcard-rules": GuardrailSpec(
        "no-wildcard-rules", "No Role or ClusterRole uses `*` in API groups, resources, verbs or URLs, or "
        "aggregates other roles.", ("9.2",), "List the API groups, resources and verbs explicitly."),
}
SPECS.update(HARDENING_SPECS)


def hardening_validators(settings: Settings) -> dict[str, Callable[[ResourceValidationArgs, ReportViolation], None]]:
    """The resource validators of HARDENING_SPECS, by policy id."""
    return {"known-resource-types": known_resource_types, "namespace-is-tenant": namespace_is_tenant(settings),
            "bindings-scoped": bindings_scoped(settings), "no-wildcard-rules": no_wildcard_rules}


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
