"""Register one desired-state object (a plain manifest dict) as the matching pulumi-kubernetes resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from tenantctl.objects.desired_state import Obj, logical_name
from tenantctl.objects.registration import registration


def _with_spec(cls: Callable[..., pulumi.CustomResource]) -> Callable[[str, Obj, pulumi.ResourceOptions], Any]:
    return lambda name, obj, opts: cls(name, metadata=obj["metadata"], spec=obj["spec"], opts=opts)


_REGISTER: dict[str, Callable[[str, Obj, pulumi.ResourceOptions], pulumi.CustomResource]] = {
    "Namespace": lambda name, obj, opts: k8s.core.v1.Namespace(name, metadata=obj["metadata"], opts=opts),
    "ResourceQuota": _with_spec(k8s.core.v1.ResourceQuota),
    "LimitRange": _with_spec(k8s.core.v1.LimitRange),
    "NetworkPolicy": _with_spec(k8s.networking.v1.NetworkPolicy),
    "PersistentVolumeClaim": _with_spec(k8s.core.v1.PersistentVolumeClaim),
    "RoleBinding": lambda name, obj, opts: k8s.rbac.v1.RoleBinding(
        name, metadata=obj["metadata"], role_ref=obj["roleRef"], subjects=obj["subjects"], opts=opts),
    "Schedule": lambda name, obj, opts: k8s.apiextensions.CustomResource(
        name, api_version=obj["apiVersion"], kind=obj["kind"], metadata=obj["metadata"], spec=obj["spec"],
        opts=opts),
}


def register(obj: Obj, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    """Register `obj` with the options `registration` gives it (Namespaces and PVCs: protected, retained)."""
    options = registration(obj)
    opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=options.protect,
                                                                     retain_on_delete=options.retain_on_delete))
    return _REGISTER[obj["kind"]](logical_name(obj), obj, opts)
