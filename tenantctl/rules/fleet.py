"""Rules across tenant files: names and namespaces are unique in the whole fleet."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tenantctl.model.loaded import LoadedTenant
from tenantctl.source.problems import Problem


def fleet_problems(tenants: Sequence[LoadedTenant]) -> Iterable[Problem]:
    """Rules across files: tenant names and namespaces are unique in the whole fleet."""
    seen_names: dict[str, str] = {}
    seen_namespaces: dict[str, str] = {}
    for loaded in tenants:
        tenant = loaded.tenant
        if tenant.name in seen_names:
            yield loaded.document.problem(["name"], f"tenant name {tenant.name!r} is already used by "
                                          f"{seen_names[tenant.name]}: choose another name")
        seen_names.setdefault(tenant.name, loaded.path)
        for env_name in tenant.environments:
            namespace = tenant.namespace(env_name)
            if namespace in seen_namespaces and seen_namespaces[namespace] != loaded.path:
                yield loaded.document.problem(["environments", env_name], f"namespace {namespace!r} is already "
                                              f"created by {seen_namespaces[namespace]}: rename this environment")
            seen_namespaces.setdefault(namespace, loaded.path)
