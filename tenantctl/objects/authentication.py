"""The API server's structured authentication configuration, generated from `ci_identity_providers`, and its
offline validation against the upstream type.

API version: `apiserver.config.k8s.io/v1beta1` by default. It is read by Kubernetes 1.30 and every later
release (kubernetes/apiserver pkg/apis/apiserver/install/install.go registers v1beta1 at v0.30.0 and still at
v0.37), so one file serves every cluster from 1.30 on. `v1` (GA in 1.34) is available with `--api-version v1`
for clusters that are all ≥ 1.34. The JWT fields used here are identical in both.

Upstream sources (kubernetes/apiserver is the published copy of kubernetes/kubernetes
staging/src/k8s.io/apiserver; line numbers at the tags named):
- types: pkg/apis/apiserver/v1beta1/types.go@v0.30.0 and pkg/apis/apiserver/v1/types.go@v0.34.0
- rules: pkg/apis/apiserver/validation/validation.go@v0.30.0 (ValidateAuthenticationConfiguration and helpers)
CEL expressions are not generated (claim/prefix only), so no CEL compiler is needed to validate offline.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tenantctl.model.deploy import issuer_url_problems
from tenantctl.model.settings import Settings

GROUP = "apiserver.config.k8s.io"
API_VERSIONS = ("v1beta1", "v1")
DEFAULT_API_VERSION = "v1beta1"
MAX_JWT_AUTHENTICATORS = 64  # validation.go@v0.30.0:56 (field.TooMany(root, len(c.JWT), 64))


# --- the upstream type, field by field -----------------------------------------------------------------------
# Only the fields of v1beta1@v0.30.0 (the oldest version we target): extra="forbid" makes a field that 1.30
# would not know an error. Citations: v1beta1/types.go@v0.30.0 line; v1/types.go@v0.34.0 line.

class _Upstream(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PrefixedClaimOrExpression(_Upstream):
    """types.go v1beta1:360 / v1:324."""

    claim: str = ""  # json:"claim,omitempty"  v1beta1:364 / v1:328
    prefix: str | None = None  # *string json:"prefix,omitempty"  v1beta1:369 / v1:333
    expression: str = ""  # json:"expression,omitempty"  v1beta1:382 / v1:346


class ClaimOrExpression(_Upstream):
    """types.go v1beta1:386 / v1:350."""

    claim: str = ""
    expression: str = ""


class ExtraMapping(_Upstream):
    """types.go v1beta1:408 / v1:372."""

    key: str  # v1beta1:416 / v1:380
    value_expression: str = Field(alias="valueExpression")  # v1beta1:431 / v1:395


class ClaimMappings(_Upstream):
    """types.go v1beta1:299 / v1:261."""

    username: PrefixedClaimOrExpression  # +required, v1beta1:319 / v1:283
    groups: PrefixedClaimOrExpression | None = None  # v1beta1:326 / v1:290
    uid: ClaimOrExpression | None = None  # v1beta1:332 / v1:296
    extra: list[ExtraMapping] = []  # v1beta1:356 / v1:320


class ClaimValidationRule(_Upstream):
    """types.go v1beta1:262 / v1:224."""

    claim: str = ""
    required_value: str = Field(default="", alias="requiredValue")
    expression: str = ""
    message: str = ""


class UserValidationRule(_Upstream):
    """types.go v1beta1:435 / v1:399."""

    expression: str
    message: str = ""


class Issuer(_Upstream):
    """types.go v1beta1:184 / v1:123."""

    url: str  # +required, v1beta1:192 / v1:131
    discovery_url: str | None = Field(default=None, alias="discoveryURL")  # v1beta1:220 / v1:159
    certificate_authority: str = Field(default="", alias="certificateAuthority")  # v1beta1:227 / v1:166
    audiences: list[str]  # +required, v1beta1:234 / v1:173
    audience_match_policy: Literal["", "MatchAny"] = Field(default="", alias="audienceMatchPolicy")  # :249 / :188


class JWTAuthenticator(_Upstream):
    """types.go v1beta1:162 / v1:101."""

    issuer: Issuer  # +required, v1beta1:165 / v1:104
    claim_validation_rules: list[ClaimValidationRule] = Field(default=[], alias="claimValidationRules")  # :169
    claim_mappings: ClaimMappings = Field(alias="claimMappings")  # +required, v1beta1:173 / v1:112
    user_validation_rules: list[UserValidationRule] = Field(default=[], alias="userValidationRules")  # :180


class AuthenticationConfiguration(_Upstream):
    """types.go v1beta1:136 / v1:56; TypeMeta inline (apiVersion, kind)."""

    api_version: Literal["apiserver.config.k8s.io/v1beta1", "apiserver.config.k8s.io/v1"] = \
        Field(alias="apiVersion")
    kind: Literal["AuthenticationConfiguration"]
    jwt: list[JWTAuthenticator]  # json:"jwt", v1beta1:158 / v1:78


# --- the upstream rules --------------------------------------------------------------------------------------

def _rules(config: AuthenticationConfiguration) -> list[str]:
    """validation.go@v0.30.0 ValidateAuthenticationConfiguration, the rules that apply without CEL."""
    errors: list[str] = []
    if len(config.jwt) > MAX_JWT_AUTHENTICATORS:  # :56
        return [f"jwt: must have at most {MAX_JWT_AUTHENTICATORS} items"]
    seen_issuers: set[str] = set()
    seen_discovery: set[str] = set()
    for index, authenticator in enumerate(config.jwt):
        where = f"jwt[{index}]"
        issuer = authenticator.issuer
        if not issuer.url:  # validateIssuerURL: field.Required
            errors.append(f"{where}.issuer.url: Required value")
        else:
            errors += [f"{where}.issuer.url: Invalid value: {issuer.url!r}: {problem}"
                       for problem in issuer_url_problems(issuer.url)]  # validateURL :146-172
        if issuer.url in seen_issuers:  # :68
            errors.append(f"{where}.issuer.url: Duplicate value: {issuer.url!r}")
        seen_issuers.add(issuer.url)
        if issuer.discovery_url:  # validateIssuerDiscoveryURL
            if issuer.discovery_url.rstrip("/") == issuer.url.rstrip("/"):
                errors.append(f"{where}.issuer.discoveryURL: discoveryURL must be different from URL")
            errors += [f"{where}.issuer.discoveryURL: {problem}" for problem in
                       issuer_url_problems(issuer.discovery_url)]
            if issuer.discovery_url in seen_discovery:
                errors.append(f"{where}.issuer.discoveryURL: Duplicate value: {issuer.discovery_url!r}")
            seen_discovery.add(issuer.discovery_url)
        errors += _audience_rules(issuer, f"{where}.issuer")
        errors += _claim_validation_rules(authenticator.claim_validation_rules, f"{where}.claimValidationRules")
        errors += _prefixed_rules(authenticator.claim_mappings.username, f"{where}.claimMappings.username",
                                  required=True)
        if authenticator.claim_mappings.groups is not None:
            errors += _prefixed_rules(authenticator.claim_mappings.groups, f"{where}.claimMappings.groups",
                                      required=False)
    return errors


def _audience_rules(issuer: Issuer, where: str) -> list[str]:
    """validateAudiences, validation.go@v0.30.0:174-202."""
    if not issuer.audiences:  # :177
        return [f"{where}.audiences: Required value: at least one {where}.audiences is required"]
    errors, seen = [], set()
    for index, audience in enumerate(issuer.audiences):
        if not audience:
            errors.append(f"{where}.audiences[{index}]: Required value")
        if audience in seen:  # :188
            errors.append(f"{where}.audiences[{index}]: Duplicate value: {audience!r}")
        seen.add(audience)
    if len(issuer.audiences) > 1 and issuer.audience_match_policy != "MatchAny":  # :195
        errors.append(f"{where}.audienceMatchPolicy: audienceMatchPolicy must be MatchAny for multiple audiences")
    return errors


def _claim_validation_rules(rules: list[ClaimValidationRule], where: str) -> list[str]:
    """validateClaimValidationRules, validation.go@v0.30.0:218-276 (the claim branch; CEL is not used)."""
    errors, seen = [], set()
    for index, rule in enumerate(rules):
        here = f"{where}[{index}]"
        if rule.claim and rule.expression:  # :234
            errors.append(f"{here}: claim and expression can't both be set")
        elif not rule.claim and not rule.expression:  # :236
            errors.append(f"{here}: Required value: claim or expression is required")
        elif rule.claim:
            if rule.message:
                errors.append(f"{here}.message: may not be specified when claim is set")
            if rule.claim in seen:
                errors.append(f"{here}.claim: Duplicate value: {rule.claim!r}")
            seen.add(rule.claim)
    return errors


def _prefixed_rules(mapping: PrefixedClaimOrExpression, where: str, required: bool) -> list[str]:
    """validatePrefixClaimOrExpression, validation.go@v0.30.0:484-514."""
    if mapping.claim and mapping.expression:  # :490
        return [f"{where}: claim and expression can't both be set"]
    if not mapping.claim and not mapping.expression:  # :492
        return [f"{where}: Required value: claim or expression is required"] if required else []
    if mapping.expression and mapping.prefix is not None:
        return [f"{where}.prefix: may not be specified when expression is set"]
    if mapping.claim and mapping.prefix is None:  # :509
        return [f"{where}.prefix: Required value: prefix is required when claim is set. It can be set to an "
                "empty string to disable prefixing"]
    return []


def validate_authentication_configuration(document: Any) -> list[str]:
    """Every problem of an AuthenticationConfiguration (a parsed YAML/JSON document): the upstream type's fields
    (unknown or missing fields, wrong types) and its validation rules. Empty when it would load."""
    try:
        config = AuthenticationConfiguration.model_validate(document)
    except ValidationError as exc:
        return [f"{'.'.join(str(part) for part in error['loc']) or '(document)'}: {error['msg']}"
                for error in exc.errors(include_url=False)]
    return _rules(config)


# --- generation ----------------------------------------------------------------------------------------------

def authentication_configuration(settings: Settings, api_version: str = DEFAULT_API_VERSION) -> dict[str, Any]:
    """One JWT authenticator per CI identity provider: issuer and audience, username = prefix + claim, and the
    provider's required claims. Groups are not mapped: pipeline users get access only through their own
    RoleBindings."""
    if api_version not in API_VERSIONS:
        raise ValueError(f"api version {api_version!r} is not supported: use one of {', '.join(API_VERSIONS)}")
    authenticators = []
    for provider in settings.ci_identity_providers:
        authenticator: dict[str, Any] = {
            "issuer": {"url": provider.issuer, "audiences": [provider.audience]},
            "claimMappings": {"username": {"claim": provider.username_claim, "prefix": provider.username_prefix}},
        }
        if provider.required_claims:
            authenticator["claimValidationRules"] = [{"claim": claim, "requiredValue": value}
                                                     for claim, value in sorted(provider.required_claims.items())]
        authenticators.append(authenticator)
    return {"apiVersion": f"{GROUP}/{api_version}", "kind": "AuthenticationConfiguration", "jwt": authenticators}
