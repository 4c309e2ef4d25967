"""Rules for deploy identities with the platform's settings: which provider, production needs an environment
(GitHub) or a protected ref (GitLab), and the Kubernetes user name the identity becomes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tenantctl.model.deploy import CiIdentityProvider, DeployIdentity
from tenantctl.model.settings import Settings
from tenantctl.model.tenant import Environment, Tenant
from tenantctl.rules.domain import is_production
from tenantctl.source.problems import Problem
from tenantctl.source.yaml import YamlDocument

DEPLOYER_ROLE = "tenant-deployer"


class ProviderError(Exception):
    """No (or no single) configured provider fits a deploy identity; the message says what to do."""


def provider_for(identity: DeployIdentity, settings: Settings) -> CiIdentityProvider:
    """The configured CI identity provider of this identity: the named one, else the only one of its kind."""
    of_kind = [provider for provider in settings.ci_identity_providers if provider.kind == identity.kind]
    if identity.provider is not None:
        for provider in settings.ci_identity_providers:
            if provider.name == identity.provider:
                if provider.kind != identity.kind:
                    raise ProviderError(f"provider {identity.provider!r} is a {provider.kind} provider, not "
                                        f"{identity.kind}: use one of {_names(of_kind)}")
                return provider
        raise ProviderError(f"provider {identity.provider!r} does not exist: use one of {_names(of_kind)}")
    if not of_kind:
        raise ProviderError(f"the platform accepts no {identity.kind} tokens yet (no {identity.kind} entry in "
                            "ci_identity_providers): ask the platform team to add one, or remove this entry")
    if len(of_kind) > 1:
        raise ProviderError(f"the platform has several {identity.kind} providers: add `provider:` with one of "
                            f"{_names(of_kind)}")
    return of_kind[0]


def _names(providers: list[CiIdentityProvider]) -> str:
    return ", ".join(provider.name for provider in providers) or "(none configured)"


def deploy_username(identity: DeployIdentity, settings: Settings) -> str:
    """The Kubernetes user the API server makes of this pipeline's token: prefix + `sub` claim,
    e.g. `github:repo:MinBZK/amt:environment:production`."""
    return provider_for(identity, settings).username_prefix + identity.subject()


@dataclass(frozen=True, order=True)
class ResolvedIdentity:
    """A deploy identity of one environment with its Kubernetes user name, for desired state and reports."""

    namespace: str
    username: str
    provider: str
    description: str
    production: bool
    tenant: str
    environment: str
    short: str = ""  # `github-MinBZK/amt-production`: provider, project and environment or ref


def _short(identity: DeployIdentity, provider: CiIdentityProvider) -> str:
    return f"{provider.name}-{identity.project}-{identity.environment or identity.ref}"


def environment_identities(tenant: Tenant, env_name: str, settings: Settings) -> list[ResolvedIdentity]:
    """The environment's identities that a configured provider can authenticate (the others are errors)."""
    env = tenant.environments[env_name]
    production = is_production(env_name, env, settings)
    resolved = []
    for identity in env.deploy:
        try:
            provider = provider_for(identity, settings)
        except ProviderError:
            continue  # reported by `deploy_problems` at its line; without a provider there is no user to bind
        resolved.append(ResolvedIdentity(tenant.namespace(env_name), provider.username_prefix + identity.subject(),
                                         provider.name, identity.describe(), production, tenant.name, env_name,
                                         _short(identity, provider)))
    return sorted(resolved)


def tenant_identities(tenant: Tenant, settings: Settings) -> list[ResolvedIdentity]:
    return [identity for env_name in sorted(tenant.environments)
            for identity in environment_identities(tenant, env_name, settings)]


def deploy_problems(document: YamlDocument, env_name: str, env: Environment,
                    settings: Settings) -> Iterable[Problem]:
    """file:line problems of an environment's `deploy:` entries against the platform's settings."""
    production = is_production(env_name, env, settings)
    for index, identity in enumerate(env.deploy):
        loc: list[str | int] = ["environments", env_name, "deploy", index]
        try:
            provider_for(identity, settings)
        except ProviderError as exc:
            yield document.problem([*loc, "provider"] if identity.provider is not None else [*loc, identity.kind],
                                   str(exc))
        if production and identity.kind == "github" and identity.environment is None:
            yield document.problem([*loc, "ref"], f"production environment {env_name!r} may be deployed only from "
                                   "a GitHub environment: use `environment: <name>` instead of `ref:` and protect that "
                                   "environment in GitHub (required reviewers, deployment branches)")
        if production and identity.kind == "gitlab":
            provider = _provider_or_none(identity, settings)
            if provider is not None and provider.required_claims.get("ref_protected") != "true":
                yield document.problem([*loc, "ref"], f"production environment {env_name!r} may be deployed only "
                                       f"from a protected ref, and provider {provider.name!r} does not require "
                                       "`ref_protected: \"true\"`: ask the platform team to add it to its "
                                       "required_claims, or remove this entry")


def _provider_or_none(identity: DeployIdentity, settings: Settings) -> CiIdentityProvider | None:
    try:
        return provider_for(identity, settings)
    except ProviderError:
        return None
