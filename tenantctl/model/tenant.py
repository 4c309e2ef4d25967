"""The tenant file (v1): what a team writes in `tenants/<name>.yaml`, as a strict pydantic model."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from tenantctl.model.deploy import DeployIdentity, unique_identities
from tenantctl.model.text import Description, LabelText, ShortText
from tenantctl.model.types import (
    Classification,
    CodeOwner,
    CpuQuantity,
    DnsLabel,
    Email,
    GroupName,
    SizeQuantity,
    Strict,
)

BACKUPS_PER_DAY = (1, 2, 3, 4, 6, 8, 12, 24)
ROLES = ("admin", "edit", "view")


class Owner(Strict):
    """Who owns the tenant and pays for it."""

    team: LabelText = Field(description="The team that owns this tenant (Latin letters or "
                                                 "digits needed: it becomes a label).")
    contact: Email = Field(description="An e-mail address that reaches the team (a shared mailbox is best).")
    cost_center: LabelText = Field(description="Cost centre that is charged for this "
                                                        "tenant (becomes a label).")
    code_owner: CodeOwner | None = Field(default=None, description="The GitHub team (`@org/team`) that reviews "
                                         "this file (its CODEOWNERS line); default `@<organisation>/<team as a "
                                         "DNS label>` from the platform settings.")


class Access(Strict):
    """Identity-provider (OIDC) groups per Kubernetes role; every namespace of the tenant gets these."""

    admin: list[GroupName] = Field(default=[], description="Groups with the ClusterRole `admin` (manage everything "
                                   "in the namespace, including RoleBindings).")
    edit: list[GroupName] = Field(default=[], description="Groups with the ClusterRole `edit` (deploy and change "
                                  "workloads).")
    view: list[GroupName] = Field(default=[], description="Groups with the ClusterRole `view` (read-only, no secrets).")

    def bindings(self) -> dict[str, list[str]]:
        return {role: sorted(set(getattr(self, role))) for role in ROLES if getattr(self, role)}


class Volume(Strict):
    """A persistent volume claim in the environment's namespace."""

    name: DnsLabel = Field(description="Name of the PersistentVolumeClaim (DNS label).")
    size: SizeQuantity = Field(description="Size with a unit, e.g. 100Gi.")
    storage_class: ShortText | None = Field(default=None, description="Storage class; the platform default when "
                                            "left out. "
                                      "Must be one of the platform's allowed classes.")


class Backups(Strict):
    """Velero backups of the whole namespace, volume data included."""

    per_day: int = Field(description="Backups per day, spread evenly: 1, 2, 3, 4, 6, 8, 12 or 24.")
    retention_days: int = Field(ge=1, le=3650, description="How many days each backup is kept.")

    @field_validator("per_day")
    @classmethod
    def _divides_day(cls, value: int) -> int:
        if value not in BACKUPS_PER_DAY:
            raise ValueError(f"{value} cannot be spread evenly over the day: use one of "
                             f"{', '.join(map(str, BACKUPS_PER_DAY))}")
        return value


class Environment(Strict):
    """One environment becomes one namespace: `<tenant>-<environment>`."""

    cpu: CpuQuantity = Field(description="CPU cores for the whole namespace: 4, '500m' or '2.5'.")
    memory: SizeQuantity = Field(description="Memory for the whole namespace, e.g. 4Gi.")
    storage: list[Volume] = Field(default=[], description="Persistent volumes.")
    backups: Backups | None = Field(default=None, description="Backup schedule; mandatory for production.")
    production: bool | None = Field(default=None, description="Whether this is production. Left out: the platform's "
                                    "list of production environment names decides.")
    cluster: ShortText | None = Field(default=None, description="Cluster to run on; the platform default when left "
                                      "out.")
    deploy: list[DeployIdentity] = Field(default=[], description="CI pipelines that may deploy into this namespace "
                                         "with their own short-lived OIDC token (no stored secret); see "
                                         "docs/deploy-access.md.")

    @field_validator("storage")
    @classmethod
    def _unique_volume_names(cls, volumes: list[Volume]) -> list[Volume]:
        names = [volume.name for volume in volumes]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"volume name {', '.join(duplicates)} used more than once: give each volume its "
                             "own name")
        return volumes

    @field_validator("deploy")
    @classmethod
    def _unique_deploy_identities(cls, identities: list[DeployIdentity]) -> list[DeployIdentity]:
        return unique_identities(identities)

    @property
    def storage_total(self) -> int:
        return sum(volume.size for volume in self.storage)


class Tenant(Strict):
    """A team's tenant: its owner, data classification, access groups and environments."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Tenant", json_schema_extra={
        "description": "A tenant of the platform: one file per tenant in tenants/<name>.yaml."})

    name: DnsLabel = Field(description="Tenant name; must equal the file name (without .yaml). A DNS label.")
    description: Description = Field(description="What the tenant runs, in one line.")
    owner: Owner
    data_classification: Classification = Field(description="BIO security level of the data: BBN1, BBN2 or BBN3.")
    access: Access = Field(default=Access(), description="Identity-provider groups mapped to Kubernetes roles.")
    environments: dict[DnsLabel, Environment] = Field(min_length=1, description="Environments by name "
                                                      "(any DNS label: test, acc, prod, ...).")
    status: Literal["active", "decommissioned", "released"] = Field(
        default="active", description="`decommissioned` revokes access and stops new workloads; namespaces, "
        "volumes and backups are kept (and protected) until `retain_until`. `released` (only after `retain_until`) "
        "unprotects namespaces and volumes so Pulumi can forget them without deleting them; only after a released "
        "revision is merged may the file be removed. Deleting the data is a separate step by the platform team.")
    retain_until: datetime.date | None = Field(default=None, strict=False,  # text is a date; numbers refused below
                                               description="Date until which a decommissioned "
                                               "tenant's data is kept (YYYY-MM-DD).")

    @field_validator("retain_until", mode="before")
    @classmethod
    def _date_not_number(cls, value: object) -> object:
        # pydantic would read a number as seconds since 1970: 20301231 must not silently become 1970-08-24.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(f"{value} is a number, not a date: write the date as YYYY-MM-DD, e.g. 2030-12-31")
        return value

    def namespace(self, environment: str) -> str:
        return f"{self.name}-{environment}"

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def released(self) -> bool:
        """Retention has ended: Pulumi may forget (not delete) the tenant's namespaces and volumes."""
        return self.status == "released"
