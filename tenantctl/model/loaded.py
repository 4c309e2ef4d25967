"""A tenant that passed the model, together with the YAML document it came from."""

from __future__ import annotations

from dataclasses import dataclass

from tenantctl.model.tenant import Tenant
from tenantctl.source.yaml import YamlDocument


@dataclass
class LoadedTenant:
    """A tenant that passed the model, with the document it came from (for positions)."""

    path: str
    document: YamlDocument
    tenant: Tenant
