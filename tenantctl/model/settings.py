"""Platform settings: the one file the platform team owns (clusters, limits, prices, defaults)."""

from __future__ import annotations

import fnmatch
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from tenantctl.model.deploy import CiIdentityProvider, provider_problems
from tenantctl.model.text import Description, ExactDecimal, ShortText
from tenantctl.model.types import Classification, CodeOwner, CpuQuantity, DnsLabel, SizeQuantity, Strict

SETTINGS_FILE = "platform/settings.yaml"  # from the repository root

# Namespaces no tenant may claim, whatever the settings say (settings' `reserved_namespaces` add to these):
# Kubernetes' own, every `*-system` add-on namespace, and common add-ons that do not follow that convention.
DEFAULT_RESERVED_NAMESPACES = (
    "default", "kube-*", "*-system", "velero",
    "istio-system", "istio-ingress", "istio-gateway", "gatekeeper-system", "flux-system", "argocd", "argo-cd",
    "argo-rollouts", "rook-ceph", "cattle-*", "cert-manager", "ingress-nginx", "nginx-ingress", "monitoring",
    "prometheus", "grafana", "logging", "loki", "tigera-operator", "calico-*", "cilium", "metallb-system",
    "external-dns", "external-secrets", "vault", "linkerd", "linkerd-*", "knative-*", "tekton-*", "keda",
    "kyverno", "crossplane-system", "openshift-*", "local-path-storage", "longhorn-system", "trident",
    "sealed-secrets", "falco", "trivy-system",
)
STACK_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"  # also a file name (Pulumi.<stack>.yaml) and a CI matrix value


class Cluster(Strict):
    name: DnsLabel
    stack: str = Field(pattern=STACK_NAME, description="The Pulumi stack that manages this cluster.")
    context: ShortText = Field(description="The kubeconfig context of this cluster (Pulumi's provider uses it).")
    description: Description | None = None


class StorageSettings(Strict):
    allowed_classes: list[ShortText] = Field(min_length=1)
    default_class: ShortText

    @model_validator(mode="after")
    def _default_allowed(self) -> StorageSettings:
        if self.default_class not in self.allowed_classes:
            raise ValueError(f"default_class {self.default_class!r} is not in allowed_classes")
        return self


class Limits(Strict):
    cpu: CpuQuantity
    memory: SizeQuantity
    volume_size: SizeQuantity
    storage_total: SizeQuantity
    volumes: int = Field(ge=0)
    environments: int = Field(ge=1)


class ApprovalThresholds(Strict):
    cpu: CpuQuantity
    memory: SizeQuantity
    storage_total: SizeQuantity
    environments: int = Field(ge=1)
    classifications: list[Classification] = []


class QuotaSettings(Strict):
    cpu_limit_ratio: ExactDecimal = Field(ge=1)
    memory_limit_ratio: ExactDecimal = Field(ge=1)
    pods_per_core: int = Field(ge=1)
    min_pods: int = Field(ge=1)


class ContainerResources(Strict):
    cpu: CpuQuantity
    memory: SizeQuantity


class ContainerDefaults(Strict):
    default_request: ContainerResources
    default_limit: ContainerResources


class NetworkSettings(Strict):
    ingress_controller_namespace: DnsLabel


class BackupSettings(Strict):
    velero_namespace: DnsLabel
    first_hour: int = Field(ge=0, le=23)
    volume_backup: Annotated[str, Field(pattern="^(fs|snapshot)$")]
    required_for_classifications: list[Classification] = []


class Pricing(Strict):
    label: Description
    currency: ShortText
    core_month: ExactDecimal = Field(ge=0)
    memory_gib_month: ExactDecimal = Field(ge=0)
    storage_gib_month: ExactDecimal = Field(ge=0)
    backup_gib_month: ExactDecimal = Field(ge=0)
    backup_storage_factor: ExactDecimal = Field(ge=0)


class LifecycleSettings(Strict):
    """Rules for decommissioning (checked by `tenantctl plan` against the base revision)."""

    min_retention_days: int = Field(default=30, ge=0, description="When `retain_until` is first set (or moved "
                                    "earlier), it must be at least this many days ahead.")


class Preset(Strict):
    """A size teams pick with one flag (`tenantctl new NAME --size medium`)."""

    cpu: CpuQuantity
    memory: SizeQuantity
    volume_size: SizeQuantity | None = None
    backups_per_day: int = Field(default=1, ge=1, le=24)
    retention_days: int = Field(default=30, ge=1)


class CodeOwnerSettings(Strict):
    """Who reviews tenant files: every file has a CODEOWNERS line naming its team and the platform team."""

    file: str = Field(default=".github/CODEOWNERS", description="The CODEOWNERS file, from the repository root.")
    organisation: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$", description="GitHub organisation of the "
                              "teams; a tenant's default code owner is `@<organisation>/<team as a DNS label>`.")
    platform: list[CodeOwner] = Field(min_length=1, description="Owners added to every tenant file's line.")


class Settings(Strict):
    """Everything the platform team decides; tenants are validated against it."""

    clusters: list[Cluster] = Field(min_length=1)
    default_cluster: str
    reserved_namespaces: list[ShortText] = Field(default=[], description="Namespace names or patterns (`team-*`) "
                                                 "reserved on top of DEFAULT_RESERVED_NAMESPACES.")
    production_environments: list[DnsLabel]
    storage: StorageSettings
    limits: Limits
    approval: ApprovalThresholds
    quota: QuotaSettings
    container_defaults: ContainerDefaults
    network: NetworkSettings
    backups: BackupSettings
    pricing: Pricing
    presets: dict[DnsLabel, Preset] = Field(min_length=1)
    default_preset: str
    code_owners: CodeOwnerSettings | None = None
    ci_identity_providers: list[CiIdentityProvider] = Field(default=[], description="CI systems whose OIDC "
                                                            "tokens may deploy (docs/deploy-access.md).")
    lifecycle: LifecycleSettings = LifecycleSettings()

    @field_validator("clusters")
    @classmethod
    def _clusters_unique(cls, clusters: list[Cluster]) -> list[Cluster]:
        """Two clusters with one name, stack or context would leave an environment applied by no stack (or two)."""
        for what in ("name", "stack", "context"):
            values = [getattr(cluster, what) for cluster in clusters]
            duplicates = sorted({value for value in values if values.count(value) > 1})
            if duplicates:
                raise ValueError(f"cluster {what} {', '.join(map(repr, duplicates))} is used by more than one "
                                 f"cluster: give each cluster its own name, stack and context")
        return clusters

    @model_validator(mode="after")
    def _default_cluster_exists(self) -> Settings:
        if self.default_cluster not in self.cluster_names:
            raise ValueError(f"default_cluster {self.default_cluster!r} is not one of clusters: {self.cluster_names}")
        return self

    @model_validator(mode="after")
    def _default_preset_exists(self) -> Settings:
        if self.default_preset not in self.presets:
            raise ValueError(f"default_preset {self.default_preset!r} is not one of presets: {list(self.presets)}")
        return self

    @model_validator(mode="after")
    def _ci_identity_providers_distinct(self) -> Settings:
        problems = provider_problems(self.ci_identity_providers)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def cluster_names(self) -> list[str]:
        return [cluster.name for cluster in self.clusters]

    def cluster_for_stack(self, stack: str) -> Cluster:
        for cluster in self.clusters:
            if cluster.stack == stack:
                return cluster
        raise KeyError(f"no cluster in platform settings has stack {stack!r}; add it under `clusters:`")

    @property
    def reserved_patterns(self) -> tuple[str, ...]:
        """The built-in reserved namespaces plus the settings' own, in that order, without repeats."""
        return tuple(dict.fromkeys([*DEFAULT_RESERVED_NAMESPACES, *self.reserved_namespaces]))

    def reserved_by(self, namespace: str) -> str | None:
        """The reserved pattern (or platform namespace) `namespace` matches, or None."""
        if namespace in self.protected_namespaces():
            return namespace
        return next((pattern for pattern in self.reserved_patterns if fnmatch.fnmatchcase(namespace, pattern)), None)

    def is_reserved(self, namespace: str) -> bool:
        return self.reserved_by(namespace) is not None

    def protected_namespaces(self) -> set[str]:
        """Namespaces the platform itself runs in."""
        return {self.backups.velero_namespace, self.network.ingress_controller_namespace}
