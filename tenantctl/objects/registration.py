"""How the Pulumi program registers each desired-state object: its type token, name and resource options.

The one home of these facts: `components/` registers objects with them, and `tenantctl check` hands the same
options to the policy pack offline, so the offline check sees exactly what the program does.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantctl.objects.desired_state import DATA_KINDS, RELEASED_ANNOTATION, Obj, logical_name

COMPONENT_TYPE = "tenants:index:Tenant"  # changing it would change every URN: Pulumi would replace everything
TYPE_TOKENS = {
    "Namespace": "kubernetes:core/v1:Namespace",
    "ResourceQuota": "kubernetes:core/v1:ResourceQuota",
    "LimitRange": "kubernetes:core/v1:LimitRange",
    "NetworkPolicy": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "RoleBinding": "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    "ClusterRoleBinding": "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    "PersistentVolumeClaim": "kubernetes:core/v1:PersistentVolumeClaim",
    "Schedule": "kubernetes:velero.io/v1:Schedule",
}
KIND_OF_TYPE = {token: kind for kind, token in TYPE_TOKENS.items()}


@dataclass(frozen=True)
class Registration:
    """The Pulumi resource options that decide what a later run may do to the object."""

    protect: bool
    retain_on_delete: bool


def registration(obj: Obj) -> Registration:
    """Namespaces and volumes hold data: protected (Pulumi refuses to delete them) and retained on delete.

    A released tenant's are unprotected but still retained: removing them from the program then only drops them
    from the state (pulumi/pulumi pkg/resource/deploy/step.go:646-648 refuses to delete a protected resource,
    step.go:661 skips the provider's Delete for `RetainOnDelete`).
    """
    holds_data = obj["kind"] in DATA_KINDS
    released = obj["metadata"].get("annotations", {}).get(RELEASED_ANNOTATION) == "true"
    return Registration(protect=holds_data and not released, retain_on_delete=holds_data)


def offline_urn(obj: Obj, project: str) -> str:
    """The URN the program gives the object, with a placeholder stack (for the offline policy check)."""
    return f"urn:pulumi:offline::{project}::{COMPONENT_TYPE}${TYPE_TOKENS[obj['kind']]}::{logical_name(obj)}"
