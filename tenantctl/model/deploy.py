"""Keyless deploy access: the pipeline identities a tenant environment trusts, and the CI identity providers
the platform federates into the cluster (short-lived OIDC tokens, no stored secret).

A pipeline identity becomes a Kubernetes User named `<provider prefix><sub claim>`; the `sub` claim formats are
the CI systems' own:
- GitHub Actions: `repo:<owner>/<repo>:environment:<environment>` for a job that runs in a GitHub environment,
  else `repo:<owner>/<repo>:ref:<ref>` (docs.github.com, "About security hardening with OpenID Connect",
  "Example subject claims").
- GitLab CI: `project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>` (docs.gitlab.com, "OpenID Connect
  (OIDC) Authentication Using ID Tokens", "ID token payloads"); GitLab's `sub` never carries the environment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, WithJsonSchema, field_validator, model_validator

from tenantctl.model.types import DnsLabel, Strict

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
CiKind = Literal["github", "gitlab"]

def _matches(pattern: str, what: str, example: str) -> Callable[[str], str]:
    """A validator of `pattern` whose message says what to write."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value[:60]!r} is not {what}: write it like {example}")
        return value

    return check


GITHUB_REPOSITORY = r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$"
GITLAB_PROJECT = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$"
CI_ENVIRONMENT = r"^[A-Za-z0-9][A-Za-z0-9 _./-]{0,254}$"
CI_REF = r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,254}$"

GitHubRepository = Annotated[str, AfterValidator(_matches(GITHUB_REPOSITORY, "a GitHub owner/repo", "MinBZK/amt")),
                             WithJsonSchema({"type": "string", "pattern": GITHUB_REPOSITORY,
                                             "description": "owner/repo on GitHub, e.g. MinBZK/amt."})]
GitLabProject = Annotated[str, AfterValidator(_matches(GITLAB_PROJECT, "a GitLab group/project", "rig/amt-deploy")),
                          WithJsonSchema({"type": "string", "pattern": GITLAB_PROJECT,
                                          "description": "group/project (or group/subgroup/project) on the "
                                          "platform's GitLab, e.g. rig/amt-deploy."})]
CiEnvironment = Annotated[str, AfterValidator(_matches(CI_ENVIRONMENT, "a CI environment name", "production")),
                          WithJsonSchema({"type": "string", "pattern": CI_ENVIRONMENT,
                                          "description": "The CI environment the deploy job runs in."})]
CiRef = Annotated[str, AfterValidator(_matches(CI_REF, "a branch or tag",
                                               "refs/heads/main (GitHub) or main (GitLab)")),
                  WithJsonSchema({"type": "string", "pattern": CI_REF,
                                  "description": "GitHub: the full ref, e.g. refs/heads/main or refs/tags/v1; "
                                  "GitLab: the branch or tag name, e.g. main."})]


class DeployIdentity(Strict):
    """A CI pipeline allowed to deploy into this environment's namespace, with its own short-lived OIDC token
    (no stored secret). It gets the platform ClusterRole `tenant-deployer` there."""

    github: GitHubRepository | None = Field(default=None, description="GitHub repository (owner/repo) whose "
                                            "Actions workflows may deploy.")
    gitlab: GitLabProject | None = Field(default=None, description="GitLab project (group/project) whose "
                                         "pipelines may deploy.")
    environment: CiEnvironment | None = Field(default=None, description="GitHub: the GitHub environment the deploy "
                                              "job runs in (protect it with required reviewers or branch rules). "
                                              "Mandatory in production.")
    ref: CiRef | None = Field(default=None, description="Instead of `environment`: the one ref that may deploy. "
                              "GitHub: refs/heads/<branch> or refs/tags/<tag>; GitLab: a protected branch or tag.")
    ref_type: Literal["branch", "tag"] | None = Field(default=None, description="GitLab only: whether `ref` is a "
                                                      "branch (default) or a tag.")
    provider: DnsLabel | None = Field(default=None, description="Which of the platform's `ci_identity_providers` "
                                      "(by name); needed only where the platform has several of this kind, e.g. "
                                      "two GitLab instances.")

    @model_validator(mode="after")
    def _one_exact_pipeline(self) -> DeployIdentity:
        if (self.github is None) == (self.gitlab is None):
            raise ValueError("name exactly one pipeline: write `github: owner/repo` or `gitlab: group/project`")
        if self.environment is not None and self.ref is not None:
            raise ValueError("use either `environment:` or `ref:`, not both: the token's subject carries only one")
        if self.gitlab is not None and self.environment is not None:
            raise ValueError("GitLab's token subject has no environment (project_path:...:ref_type:...:ref:...): "
                             "use `ref:` with a protected branch or tag instead of `environment:`")
        if self.environment is None and self.ref is None:
            raise ValueError("say which jobs may deploy: add `environment:` (a GitHub environment) or `ref:` "
                             "(one branch or tag); a whole repository may not deploy")
        if self.github is not None and self.ref is not None and not self.ref.startswith(("refs/heads/",
                                                                                          "refs/tags/")):
            raise ValueError(f"GitHub refs are full refs: write `ref: refs/heads/{self.ref}` (or refs/tags/...)")
        if self.github is not None and self.ref_type is not None:
            raise ValueError("remove `ref_type`: it is for GitLab only (on GitHub the ref says refs/heads or "
                             "refs/tags)")
        return self

    @property
    def kind(self) -> CiKind:
        return "github" if self.github is not None else "gitlab"

    @property
    def project(self) -> str:
        return self.github or self.gitlab or ""

    def subject(self) -> str:
        """The `sub` claim of this pipeline's OIDC token (without the platform's prefix)."""
        if self.github is not None:
            if self.environment is not None:
                return f"repo:{self.github}:environment:{self.environment}"
            return f"repo:{self.github}:ref:{self.ref}"
        return f"project_path:{self.gitlab}:ref_type:{self.ref_type or 'branch'}:ref:{self.ref}"

    def describe(self) -> str:
        """`github MinBZK/amt (environment production)`, as reviewers read it."""
        scope = f"environment {self.environment}" if self.environment is not None else f"ref {self.ref}"
        return f"{self.kind} {self.project} ({scope})"


def unique_identities(identities: list[DeployIdentity]) -> list[DeployIdentity]:
    """A field validator body: the same pipeline listed twice in one environment is a mistake."""
    seen: set[tuple[str, str, str | None]] = set()
    for identity in identities:
        key = (identity.kind, identity.subject(), identity.provider)
        if key in seen:
            raise ValueError(f"{identity.describe()} is listed more than once: remove the duplicate")
        seen.add(key)
    return identities


# --- platform settings ---------------------------------------------------------------------------------------

def issuer_url_problems(url: str) -> list[str]:
    """The API server's rules for an issuer URL.
    Mirrors kubernetes/apiserver pkg/apis/apiserver/validation/validation.go@v0.30.0:158-169 (validateURL):
    https scheme, no user info, no query, no fragment."""
    problems = []
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        problems.append("URL scheme must be https")
    if parts.username is not None or parts.password is not None:
        problems.append("URL must not contain a username or password")
    if parts.query:
        problems.append("URL must not contain a query")
    if parts.fragment:
        problems.append("URL must not contain a fragment")
    return problems


class CiIdentityProvider(Strict):
    """A CI system whose OIDC tokens the API server accepts (one JWT authenticator in the generated
    AuthenticationConfiguration)."""

    name: DnsLabel = Field(description="Name tenants use in `provider:` when there are several of one kind.")
    kind: CiKind = Field(description="github or gitlab: decides the format of the token's `sub` claim.")
    issuer: str = Field(description="The token issuer URL (`iss` claim), https. GitHub Actions: "
                        f"{GITHUB_ISSUER}; GitLab: the instance URL, e.g. https://gitlab.example.org.")
    audience: str = Field(min_length=1, description="The audience the pipeline requests its token for (`aud`); "
                          "the API server accepts only this one.")
    username_claim: Literal["sub"] = Field(default="sub", description="The claim that becomes the username. Only "
                                           "`sub`: RoleBinding subjects are built from its documented format.")
    username_prefix: str = Field(min_length=2, max_length=63, pattern=r"^[a-z0-9][a-z0-9.-]*:$",
                                 description="Prepended to the claim, e.g. `github:`, so pipeline users never "
                                 "clash with people or system users. Lowercase, ends with ':'.")
    required_claims: dict[str, str] = Field(default={}, description="Claims every token of this issuer must carry "
                                            "with exactly this value, e.g. GitLab `ref_protected: \"true\"`.")

    @field_validator("issuer")
    @classmethod
    def _issuer_https(cls, value: str) -> str:
        problems = issuer_url_problems(value)
        if problems:
            raise ValueError(f"issuer {value!r}: {'; '.join(problems)}: use the https URL the CI system puts in "
                             "the token's `iss` claim")
        return value

    @field_validator("username_prefix")
    @classmethod
    def _not_system(cls, value: str) -> str:
        if value.startswith(("system:", "oidc:")):
            raise ValueError(f"prefix {value!r} is reserved (system: is Kubernetes', oidc: is the people's "
                             "identity provider's): use e.g. `github:`")
        return value


def provider_problems(providers: list[CiIdentityProvider]) -> list[str]:
    """Rules across the providers: unique names, issuers (kubernetes/apiserver
    pkg/apis/apiserver/validation/validation.go@v0.30.0:68, `seenIssuers`) and prefixes."""
    problems = []
    for attribute, what in (("name", "name"), ("issuer", "issuer"), ("username_prefix", "username_prefix")):
        values = [getattr(provider, attribute) for provider in providers]
        for value in sorted({value for value in values if values.count(value) > 1}):
            problems.append(f"ci_identity_providers: {what} {value!r} is used more than once: give each provider "
                            f"its own {what}")
    return problems
