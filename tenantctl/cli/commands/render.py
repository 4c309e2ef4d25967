"""`tenantctl render`: the Kubernetes objects of the tenants, as multi-document YAML (offline)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.cli.support import RootOption, fail, valid_fleet, workspace
from tenantctl.objects.desired_state import fleet_state, object_key
from tenantctl.objects.manifests import yaml_documents


def render(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    env: Annotated[str | None, typer.Option(help="Only this environment (e.g. prod).")] = None,
    cluster: Annotated[str | None, typer.Option(help="Only environments placed on this cluster.")] = None,
    root: RootOption = Path("."),
) -> None:
    """Print the Kubernetes objects that the tenants become (what Pulumi registers)."""
    ws = workspace(root)
    fleet = valid_fleet(ws)
    tenants = fleet.by_name()
    if tenant is not None and tenant not in tenants:
        fail(f"no tenant {tenant!r}; tenants are: {', '.join(sorted(tenants)) or 'none'}", code=2)
    states = [state for state in fleet_state(list(tenants.values()), ws.settings)
              if (tenant is None or state.tenant == tenant) and (env is None or state.environment == env)
              and (cluster is None or state.cluster == cluster)]
    if not states:
        fail("nothing matches those filters", code=2)
    objects = sorted((obj for state in states for obj in state.objects), key=object_key)
    sys.stdout.writelines(yaml_documents(objects))  # one document at a time: the stream is never held whole


def register(app: typer.Typer) -> None:
    app.command()(render)
