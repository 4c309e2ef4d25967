"""Guardrails against bypasses: unknown types, patches, cluster-wide or foreign bindings, wildcard roles."""

from __future__ import annotations

from collections.abc import Callable

from pulumi_policy import ReportViolation, ResourceValidationArgs

from tenantctl.model.settings import Settings
from tenantctl.objects.policy_base import TENANT_LABEL, GuardrailSpec, _labels, _name
from tenantctl.objects.registration import COMPONENT_TYPE, KIND_OF_TYPE, TYPE_TOKENS
from tenantctl.rules.deploy import DEPLOYER_ROLE

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


def hardening_validators(settings: Settings) -> dict[str, Callable[[ResourceValidationArgs, ReportViolation], None]]:
    """The resource validators of HARDENING_SPECS, by policy id."""
    return {"known-resource-types": known_resource_types, "namespace-is-tenant": namespace_is_tenant(settings),
            "bindings-scoped": bindings_scoped(settings), "no-wildcard-rules": no_wildcard_rules}
