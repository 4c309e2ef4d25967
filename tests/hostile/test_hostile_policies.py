"""The policy pack against resources a hostile or broken program could register: each is refused by a mandatory
policy, called the way pulumi-policy calls resource validators (type token + input props, camelCase)."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs

from tenantctl.objects.guardrails import build_policies, check_objects
from tenantctl.objects.registration import TYPE_TOKENS

RBAC = "kubernetes:rbac.authorization.k8s.io/v1"


def validate(settings, resource_type: str, props: dict) -> dict[str, list[str]]:
    """Every resource policy's violations for one resource, by policy name."""
    opts = PolicyResourceOptions(protect=True, ignore_changes=[], delete_before_replace=None, aliases=[],
                                 custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[])
    args = ResourceValidationArgs(resource_type, props, "urn:pulumi:s::p::t::n", "n", opts, None)
    found: dict[str, list[str]] = {}
    for policy in build_policies(settings):
        if hasattr(policy, "validate") and type(policy).__name__ == "ResourceValidationPolicy":
            messages: list[str] = []
            policy.validate(args, lambda message, _urn, _m=messages: _m.append(message))
            if messages:
                found[policy.name] = messages
    return found


TENANT_LABELS = {"tenant-platform/tenant": "amt", "tenant-platform/environment": "prod", "tenant-platform/team": "t",
                 "tenant-platform/cost-center": "c", "tenant-platform/data-classification": "BBN1",
                 "tenant-platform/production": "true", "pod-security.kubernetes.io/enforce": "restricted"}


@pytest.mark.parametrize(("resource_type", "props", "policy", "words"), [
    (TYPE_TOKENS["Namespace"], {"metadata": {"name": "sneaky"}}, "namespace-is-tenant",
     "has no tenant-platform/tenant"),
    (TYPE_TOKENS["Namespace"], {"metadata": {"name": "istio-system", "labels": TENANT_LABELS}}, "namespace-is-tenant",
     "reserved"),
    (TYPE_TOKENS["Namespace"], {"metadata": {"name": "kube-system", "labels": TENANT_LABELS}}, "namespace-is-tenant",
     "reserved"),
    (TYPE_TOKENS["ClusterRoleBinding"], {"metadata": {"name": "all"}, "roleRef": {"kind": "ClusterRole",
     "name": "admin"}, "subjects": [{"kind": "Group", "name": "github:team"}]}, "bindings-scoped",
     "grants its role in every namespace"),
    (f"{RBAC}beta1:ClusterRoleBinding", {"metadata": {"name": "old"}, "roleRef": {"kind": "ClusterRole",
     "name": "view"}, "subjects": []}, "bindings-scoped", "every namespace"),
    (TYPE_TOKENS["RoleBinding"], {"metadata": {"name": "rb", "namespace": "kube-system"}, "roleRef": {
     "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "Group", "name": "github:team"}]},
     "bindings-scoped", "not a tenant namespace"),
    (TYPE_TOKENS["RoleBinding"], {"metadata": {"name": "rb", "namespace": "amt-prod"}, "roleRef": {
     "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "Group", "name": "system:authenticated"}]},
     "bindings-scoped", "system: groups"),
    (TYPE_TOKENS["RoleBinding"], {"metadata": {"name": "rb", "namespace": "amt-prod"}, "roleRef": {
     "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "ServiceAccount", "name": "default",
                                                          "namespace": "kube-system"}]},
     "bindings-scoped", "service accounts"),
    (TYPE_TOKENS["RoleBinding"], {"metadata": {"name": "rb", "namespace": "amt-prod"}, "roleRef": {
     "kind": "Role", "name": "custom"}, "subjects": [{"kind": "Group", "name": "github:t"}]}, "bindings-scoped",
     "bind only the ClusterRoles"),
    (f"{RBAC}:ClusterRole", {"metadata": {"name": "god"}, "rules": [{"apiGroups": ["*"], "resources": ["*"],
                                                                       "verbs": ["*"]}]},
     "no-wildcard-rules", "wildcard"),
    (f"{RBAC}:Role", {"metadata": {"name": "r", "namespace": "amt-prod"}, "rules": [{"apiGroups": [""],
     "resources": ["secrets"], "verbs": ["get", "*"]}]}, "no-wildcard-rules", "wildcard in verbs"),
    (f"{RBAC}:ClusterRole", {"metadata": {"name": "agg"}, "aggregationRule": {"clusterRoleSelectors": [{}]}},
     "no-wildcard-rules", "aggregates"),
    ("kubernetes:core/v1:NamespacePatch", {"metadata": {"name": "kube-system", "labels": {}}},
     "known-resource-types", "patches an object"),
    (f"{RBAC}:ClusterRoleBindingPatch", {"metadata": {"name": "x"}}, "known-resource-types", "patches"),
    ("kubernetes:core/v1:ConfigMap", {"metadata": {"name": "c"}}, "known-resource-types", "not a kind"),
    ("kubernetes:helm.sh/v3:Release", {"name": "r"}, "known-resource-types", "not a kind"),
    ("kubernetes:yaml/v2:ConfigGroup", {}, "known-resource-types", "not a kind"),
    ("kubernetes:apiextensions.k8s.io:CustomResource", {}, "known-resource-types", "not a kind"),
])
def test_hostile_resources_are_refused(settings, resource_type: str, props: dict, policy: str, words: str) -> None:
    found = validate(settings, resource_type, props)
    assert policy in found, found
    assert any(words in message for message in found[policy]), found[policy]


@pytest.mark.parametrize("resource_type", ["pulumi:providers:kubernetes", "tenants:index:Tenant",
                                           "pulumi:pulumi:Stack"])
def test_the_programs_own_infrastructure_passes(settings, resource_type: str) -> None:
    assert validate(settings, resource_type, {}) == {}


def test_the_shipped_desired_state_still_passes_every_policy(repo_workspace, settings) -> None:
    from tenantctl.objects.desired_state import fleet_objects
    objects = fleet_objects([loaded.tenant for loaded in repo_workspace.load().tenants], settings)
    assert check_objects(objects, settings) == []
