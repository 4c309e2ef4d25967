"""Keyless deploy access: tenant `deploy:` entries, settings `ci_identity_providers`, the RoleBindings, the API
server's AuthenticationConfiguration, plan, reports, compliance, policy, `add-deploy` and the docs' examples."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tenantctl.checks.loading import SettingsError, load_tenant, settings_from_document
from tenantctl.cli.app import app
from tenantctl.model.deploy import DeployIdentity
from tenantctl.model.settings import Settings
from tenantctl.objects.authentication import authentication_configuration, validate_authentication_configuration
from tenantctl.objects.desired_state import tenant_objects
from tenantctl.objects.guardrails import check_objects
from tenantctl.review.compliance import tenant_compliance
from tenantctl.rules.deploy import ProviderError, deploy_username, provider_for
from tenantctl.source.yaml import parse_bytes
from tests.conftest import FIXTURE, REPO

runner = CliRunner()
BIN = Path(sys.executable).parent

AMT_PROD_BINDING = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "RoleBinding",
    "metadata": {
        "name": "tenant-deploy-github-minbzk-amt-production-d3c37d2c",
        "namespace": "amt-prod",
        "labels": {
            "app.kubernetes.io/managed-by": "tenant-platform",
            "tenant-platform/cost-center": "rig-0001",
            "tenant-platform/data-classification": "BBN2",
            "tenant-platform/deploy-access": "true",
            "tenant-platform/environment": "prod",
            "tenant-platform/production": "true",
            "tenant-platform/team": "rijks-ict-gilde",
            "tenant-platform/tenant": "amt",
        },
        "annotations": {"tenant-platform/ci-provider": "github",
                        "tenant-platform/deploy-identity": "github MinBZK/amt (environment production)"},
    },
    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "tenant-deployer"},
    "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                  "name": "github:repo:MinBZK/amt:environment:production"}],
}

EXPECTED_AUTHENTICATION = {
    "apiVersion": "apiserver.config.k8s.io/v1beta1",
    "kind": "AuthenticationConfiguration",
    "jwt": [
        {"issuer": {"url": "https://token.actions.githubusercontent.com", "audiences": ["tenant-platform-kubernetes"]},
         "claimMappings": {"username": {"claim": "sub", "prefix": "github:"}}},
        {"issuer": {"url": "https://gitlab.example.org", "audiences": ["tenant-platform-kubernetes"]},
         "claimMappings": {"username": {"claim": "sub", "prefix": "gitlab:"}},
         "claimValidationRules": [{"claim": "ref_protected", "requiredValue": "true"}]},
    ],
}


def _settings_text(providers: list[dict]) -> bytes:
    data = yaml.safe_load((FIXTURE / "platform/settings.yaml").read_text())
    data["ci_identity_providers"] = providers
    return yaml.safe_dump(data, sort_keys=False).encode()


def settings_with(providers: list[dict]) -> Settings:
    return settings_from_document(parse_bytes(_settings_text(providers), "platform/settings.yaml"))


def settings_problems(providers: list[dict]) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        settings_with(providers)
    return [problem.text() for problem in caught.value.problems]


GITHUB = {"name": "github", "kind": "github", "issuer": "https://token.actions.githubusercontent.com",
          "audience": "tenant-platform-kubernetes", "username_prefix": "github:"}
GITLAB = {"name": "gitlab", "kind": "gitlab", "issuer": "https://gitlab.example.org",
          "audience": "tenant-platform-kubernetes", "username_prefix": "gitlab:"}


# --- tenant model and rules ------------------------------------------------------------------------------------

def test_subjects_follow_the_ci_systems_sub_claim_formats() -> None:
    assert DeployIdentity(github="MinBZK/amt", environment="production").subject() == \
        "repo:MinBZK/amt:environment:production"
    assert DeployIdentity(github="MinBZK/amt", ref="refs/heads/main").subject() == "repo:MinBZK/amt:ref:refs/heads/main"
    assert DeployIdentity(gitlab="rig/amt-deploy", ref="main").subject() == \
        "project_path:rig/amt-deploy:ref_type:branch:ref:main"
    assert DeployIdentity(gitlab="rig/sub/amt", ref="v1", ref_type="tag").subject() == \
        "project_path:rig/sub/amt:ref_type:tag:ref:v1"


def test_username_is_the_provider_prefix_plus_the_subject(settings) -> None:
    identity = DeployIdentity(github="MinBZK/amt", environment="production")
    assert deploy_username(identity, settings) == "github:repo:MinBZK/amt:environment:production"


def test_provider_resolution_errors() -> None:
    only_github = settings_with([GITHUB])
    with pytest.raises(ProviderError, match="accepts no gitlab tokens yet"):
        provider_for(DeployIdentity(gitlab="rig/amt", ref="main"), only_github)
    two_gitlabs = settings_with([GITHUB, GITLAB, {**GITLAB, "name": "gitlab-two",
                                                            "issuer": "https://gitlab.two.example.org",
                                                            "username_prefix": "gitlab-two:"}])
    with pytest.raises(ProviderError, match="several gitlab providers: add `provider:` with one of gitlab, "
                                            "gitlab-two"):
        provider_for(DeployIdentity(gitlab="rig/amt", ref="main"), two_gitlabs)
    chosen = provider_for(DeployIdentity(gitlab="rig/amt", ref="main", provider="gitlab-two"), two_gitlabs)
    assert chosen.username_prefix == "gitlab-two:"


def _problems(text: str, settings: Settings) -> list[str]:
    _loaded, problems = load_tenant(text.encode(), "tenants/amt.yaml", settings)
    return [problem.text() for problem in problems]


def test_gitlab_in_production_needs_a_provider_that_requires_protected_refs(settings) -> None:
    text = (FIXTURE / "tenants/amt.yaml").read_text().replace(
        "      - github: MinBZK/amt\n        environment: production",
        "      - gitlab: rig/amt-deploy\n        ref: main")
    assert _problems(text, settings) == []  # the fixture's GitLab provider requires ref_protected: "true"
    lax = settings_with([GITHUB, GITLAB])
    problems = _problems(text, lax)
    assert len(problems) == 1
    assert problems[0].startswith("tenants/amt.yaml:")
    assert "environments.prod.deploy[0].ref: production environment 'prod' may be deployed only from a protected " \
           "ref, and provider 'gitlab' does not require `ref_protected: \"true\"`" in problems[0]


def test_a_platform_without_providers_refuses_deploy_entries_at_their_line() -> None:
    problems = _problems((FIXTURE / "tenants/amt.yaml").read_text(), settings_with([]))
    assert [p.split(": ", 2)[1] for p in problems] == ["environments.test.deploy[0].github",
                                                       "environments.prod.deploy[0].github"]
    assert all("the platform accepts no github tokens yet" in p for p in problems)


def test_an_identity_without_provider_renders_no_binding_instead_of_crashing(repo_workspace) -> None:
    """A platform PR that drops a provider makes the tenant invalid (above); the plan must still be computable."""
    amt = repo_workspace.load().by_name()["amt"]
    objects = tenant_objects(amt, settings_with([GITLAB]))
    assert not [o for o in objects if o["kind"] == "RoleBinding" and o["roleRef"]["name"] == "tenant-deployer"]


def test_settings_rules_for_ci_identity_providers() -> None:
    assert any("issuer 'http://token.example.org': URL scheme must be https" in p
               for p in settings_problems([{**GITHUB, "issuer": "http://token.example.org"}]))
    assert any("URL must not contain a query" in p and "URL must not contain a fragment" in p
               for p in settings_problems([{**GITHUB, "issuer": "https://x.example.org/?a=1#f"}]))
    assert any("URL must not contain a username or password" in p
               for p in settings_problems([{**GITHUB, "issuer": "https://u:p@x.example.org"}]))
    assert any("issuer 'https://token.actions.githubusercontent.com' is used more than once" in p
               for p in settings_problems([GITHUB, {**GITHUB, "name": "other", "username_prefix": "o:"}]))
    assert any("username_prefix 'github:' is used more than once" in p and "name 'github' is used more than once" in p
               for p in settings_problems([GITHUB, {**GITHUB, "issuer": "https://other.example.org"}]))
    assert any("prefix 'system:' is reserved" in p
               for p in settings_problems([{**GITHUB, "username_prefix": "system:"}]))
    assert any("ci_identity_providers[0].username_prefix" in p
               for p in settings_problems([{**GITHUB, "username_prefix": "github"}]))
    assert any("ci_identity_providers[0].username_claim" in p
               for p in settings_problems([{**GITHUB, "username_claim": "email"}]))


# --- desired state -----------------------------------------------------------------------------------------------

def test_the_rendered_rolebinding_for_amt_prod(repo_workspace) -> None:
    amt = repo_workspace.load().by_name()["amt"]
    bindings = [obj for obj in tenant_objects(amt, repo_workspace.settings)
                if obj["kind"] == "RoleBinding" and obj["roleRef"]["name"] == "tenant-deployer"]
    assert [b["metadata"]["namespace"] for b in bindings] == ["amt-prod", "amt-test"]
    assert bindings[0] == AMT_PROD_BINDING
    assert bindings[1]["subjects"][0]["name"] == "github:repo:MinBZK/amt:environment:test"


def test_a_decommissioned_tenant_loses_deploy_access(repo_workspace) -> None:
    amt = repo_workspace.load().by_name()["amt"]
    gone = amt.model_copy(update={"status": "decommissioned"})
    assert not [o for o in tenant_objects(gone, repo_workspace.settings) if o["kind"] == "RoleBinding"]
    compliance = {r.control.id: r for r in tenant_compliance(gone, repo_workspace.settings)}
    assert "deploy access revoked" in compliance["9.2.4"].note


def test_render_shows_the_deploy_bindings() -> None:
    result = runner.invoke(app, ["render", "--tenant", "amt", "--env", "prod"])
    assert result.exit_code == 0
    assert "name: github:repo:MinBZK/amt:environment:production" in result.stdout
    assert "name: tenant-deployer" in result.stdout


# --- AuthenticationConfiguration --------------------------------------------------------------------------------

def test_generated_authentication_configuration(settings) -> None:
    config = authentication_configuration(settings)
    assert config == EXPECTED_AUTHENTICATION
    assert validate_authentication_configuration(config) == []
    v1 = authentication_configuration(settings, "v1")
    assert v1["apiVersion"] == "apiserver.config.k8s.io/v1"
    assert validate_authentication_configuration(v1) == []
    with pytest.raises(ValueError, match="use one of v1beta1, v1"):
        authentication_configuration(settings, "v1alpha1")


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda c: c["jwt"][0]["issuer"].update(url="http://token.example.org"),
     "jwt[0].issuer.url: Invalid value: 'http://token.example.org': URL scheme must be https"),
    (lambda c: c["jwt"][0]["issuer"].update(url=""), "jwt[0].issuer.url: Required value"),
    (lambda c: c["jwt"][0]["issuer"].update(url="https://x.example.org?q=1"), "URL must not contain a query"),
    (lambda c: c["jwt"][1]["issuer"].update(url=c["jwt"][0]["issuer"]["url"]),
     "jwt[1].issuer.url: Duplicate value: 'https://token.actions.githubusercontent.com'"),
    (lambda c: c["jwt"][0]["issuer"].update(audiences=[]),
     "jwt[0].issuer.audiences: Required value: at least one jwt[0].issuer.audiences is required"),
    (lambda c: c["jwt"][0]["issuer"].update(audiences=["a", "a"]), "jwt[0].issuer.audiences[1]: Duplicate value: 'a'"),
    (lambda c: c["jwt"][0]["issuer"].update(audiences=["a", "b"]),
     "jwt[0].issuer.audienceMatchPolicy: audienceMatchPolicy must be MatchAny for multiple audiences"),
    (lambda c: c["jwt"][0]["issuer"].update(audiences=[""]), "jwt[0].issuer.audiences[0]: Required value"),
    (lambda c: c["jwt"][0]["issuer"].update(discoveryURL=c["jwt"][0]["issuer"]["url"] + "/"),
     "jwt[0].issuer.discoveryURL: discoveryURL must be different from URL"),
    (lambda c: c["jwt"][0]["claimMappings"]["username"].pop("prefix"),
     "jwt[0].claimMappings.username.prefix: Required value: prefix is required when claim is set"),
    (lambda c: c["jwt"][0]["claimMappings"]["username"].pop("claim"),
     "jwt[0].claimMappings.username: Required value: claim or expression is required"),
    (lambda c: c["jwt"][0]["claimMappings"]["username"].update(expression="claims.sub"),
     "jwt[0].claimMappings.username: claim and expression can't both be set"),
    (lambda c: c["jwt"][0]["claimMappings"].update(username={"expression": "claims.sub", "prefix": "x:"}),
     "jwt[0].claimMappings.username.prefix: may not be specified when expression is set"),
    (lambda c: c["jwt"][1]["claimValidationRules"].append({"claim": "ref_protected", "requiredValue": "true"}),
     "jwt[1].claimValidationRules[1].claim: Duplicate value: 'ref_protected'"),
    (lambda c: c["jwt"][1]["claimValidationRules"][0].update(message="m"),
     "jwt[1].claimValidationRules[0].message: may not be specified when claim is set"),
    (lambda c: c["jwt"][1]["claimValidationRules"].append({}),
     "jwt[1].claimValidationRules[1]: Required value: claim or expression is required"),
    (lambda c: c["jwt"][1]["claimValidationRules"].append({"claim": "a", "expression": "true"}),
     "jwt[1].claimValidationRules[1]: claim and expression can't both be set"),
    (lambda c: c["jwt"].extend([c["jwt"][0]] * 64), "jwt: must have at most 64 items"),
    (lambda c: c["jwt"][0]["issuer"].update(audienceMatchPolicy="MatchAll"), "jwt.0.issuer.audienceMatchPolicy"),
    (lambda c: c["jwt"][0].update(anonymous={"enabled": True}), "jwt.0.anonymous: Extra inputs are not permitted"),
    (lambda c: c.update(kind="AuthorizationConfiguration"), "kind:"),
    (lambda c: c.update(apiVersion="apiserver.config.k8s.io/v1alpha2"), "apiVersion:"),
    (lambda c: c["jwt"][0].pop("claimMappings"), "jwt.0.claimMappings: Field required"),
])
def test_every_upstream_rule_is_checked_offline(settings, mutate, expected: str) -> None:
    config = copy.deepcopy(authentication_configuration(settings))
    mutate(config)
    problems = validate_authentication_configuration(config)
    assert any(problem.startswith(expected) or expected in problem for problem in problems), problems


def test_authentication_config_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["authentication-config"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout) == EXPECTED_AUTHENTICATION
    out = tmp_path / "authn.yaml"
    result = runner.invoke(app, ["authentication-config", "--api-version", "v1", "--output", str(out)])
    assert result.exit_code == 0
    assert yaml.safe_load(out.read_text())["apiVersion"] == "apiserver.config.k8s.io/v1"
    assert runner.invoke(app, ["authentication-config", "--validate", str(out)]).exit_code == 0
    bad = yaml.safe_load(out.read_text())
    bad["jwt"][0]["issuer"]["url"] = "http://insecure.example.org"
    out.write_text(yaml.safe_dump(bad))
    result = runner.invoke(app, ["authentication-config", "--validate", str(out)])
    assert result.exit_code == 1
    assert "URL scheme must be https" in result.output


# --- plan, reports, compliance, policy ---------------------------------------------------------------------------

def test_plan_lists_deploy_identities_and_asks_the_team_about_new_production_ones(git_repo: Path) -> None:
    path = git_repo / "tenants/amt.yaml"
    text = path.read_text()
    text = re.sub(r"    deploy:.*?\n  prod:", "  prod:", text, count=1, flags=re.S)  # removed from test
    text += "      - github: MinBZK/amt-deploy\n        environment: production\n"
    path.write_text(text)
    plan = runner.invoke(app, ["plan", "--base", "main", "--root", str(git_repo)])
    assert "Needs the team's review: new production deploy identity: amt: github MinBZK/amt-deploy (environment " \
           "production) (github:repo:MinBZK/amt-deploy:environment:production) may now deploy to amt-prod " \
           "(production)" in plan.stdout
    assert "deploy access - github MinBZK/amt (environment test) (github:repo:MinBZK/amt:environment:test) may no " \
           "longer deploy to amt-test" in plan.stdout
    markdown = runner.invoke(app, ["plan", "--base", "main", "--root", str(git_repo), "--format", "markdown"]).stdout
    summary = markdown.split("| Tenant |")[0]
    assert "**New production deploy access, needs the team's review:** ⚠️ 1" in summary
    assert "github:repo:MinBZK/amt-deploy:environment:production" in summary
    document = json.loads(runner.invoke(app, ["plan", "--base", "main", "--root", str(git_repo),
                                              "--format", "json"]).stdout)
    assert [(d["tenant"], d["user"]) for d in document["new_production_deployers"]] == \
        [("amt", "github:repo:MinBZK/amt-deploy:environment:production")]
    amt = next(t for t in document["tenants"] if t["tenant"] == "amt")
    assert {(d["change"], d["namespace"]) for d in amt["deploy"]} == {("added", "amt-prod"), ("removed", "amt-test")}


def test_a_new_test_deploy_identity_is_not_flagged_for_review(git_repo: Path) -> None:
    assert runner.invoke(app, ["add-deploy", "sandbox", "dev", "--github", "MinBZK/sandbox", "--ci-environment",
                               "dev", "--root", str(git_repo)]).exit_code == 0
    plan = runner.invoke(app, ["plan", "--base", "main", "--root", str(git_repo), "--format", "markdown"]).stdout
    assert "deploy access `+`" in plan
    assert "needs the team's review" not in plan


def test_access_reports_show_who_can_deploy_where() -> None:
    result = runner.invoke(app, ["report", "deploy-access", "--format", "json"])
    rows = json.loads(result.stdout)
    assert [(r["user"], r["namespace"], r["production"]) for r in rows] == [
        ("github:repo:MinBZK/amt:environment:production", "amt-prod", True),
        ("github:repo:MinBZK/amt:environment:test", "amt-test", False)]
    text = runner.invoke(app, ["report", "access", "--tenant", "amt"]).stdout
    assert "Deploy access: pipeline → namespace" in text
    assert "github MinBZK/amt (environment production)" in text
    assert "amt-prod (production)" in text


def test_bio_9_2_4_evidence(repo_workspace) -> None:
    tenants = repo_workspace.load().by_name()
    amt = {r.control.id: r for r in tenant_compliance(tenants["amt"], repo_workspace.settings)}["9.2.4"]
    assert amt.status == "covered"
    assert len(amt.evidence) == 2
    assert "no ServiceAccount token or kubeconfig stored" in amt.note
    assert "OIDC token of https://token.actions.githubusercontent.com" in amt.evidence[0]
    sandbox = {r.control.id: r for r in tenant_compliance(tenants["sandbox"], repo_workspace.settings)}["9.2.4"]
    assert sandbox.status == "not applicable"
    people = {r.control.id: r for r in tenant_compliance(tenants["amt"], repo_workspace.settings)}["9.2"]
    assert all("tenant-deployer" not in line for line in people.evidence)  # people and pipelines kept apart


def _violations(objects: list[dict], settings: Settings) -> list[str]:
    return [v.message for v in check_objects(objects, settings) if v.policy == "deploy-bindings-keyless"]


def test_policy_deploy_bindings_are_keyless_and_least_privilege(repo_workspace) -> None:
    settings = repo_workspace.settings
    amt = repo_workspace.load().by_name()["amt"]
    objects = tenant_objects(amt, settings)
    assert _violations(objects, settings) == []
    binding = next(o for o in objects if o["kind"] == "RoleBinding" and o["roleRef"]["name"] == "tenant-deployer")

    def variant(**changes: object) -> list[dict]:
        changed = copy.deepcopy(binding)
        changed.update(changes)
        return [o for o in objects if o is not binding] + [changed]

    admin = variant(roleRef={**binding["roleRef"], "name": "admin"})
    assert any("binds ClusterRole admin to a CI pipeline" in m for m in _violations(admin, settings))
    group = variant(subjects=[{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "github:team"}])
    assert any("gives tenant-deployer to Group 'github:team'" in m for m in _violations(group, settings))
    person = variant(subjects=[{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}])
    assert any("gives tenant-deployer to User 'alice'" in m for m in _violations(person, settings))
    service_account = variant(subjects=[{"kind": "ServiceAccount", "name": "ci", "namespace": "amt-prod"}])
    assert any("ServiceAccount 'ci'" in m for m in _violations(service_account, settings))
    people = next(o for o in objects if o["kind"] == "RoleBinding" and o["roleRef"]["name"] == "edit")
    sneaky = copy.deepcopy(people)
    sneaky["subjects"].append({"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                               "name": "github:repo:MinBZK/amt:ref:refs/heads/feature"})
    assert any("binds ClusterRole edit to a CI pipeline" in m
               for m in _violations([o for o in objects if o is not people] + [sneaky], settings))
    cluster_wide = {**copy.deepcopy(binding), "kind": "ClusterRoleBinding",
                    "metadata": {"name": "ci-everywhere", "labels": binding["metadata"]["labels"]}}
    assert any("is a ClusterRoleBinding for deploy access" in m
               for m in _violations([*objects, cluster_wide], settings))


def test_check_command_runs_the_deploy_policy() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0
    assert "16 policies passed" in result.stdout
    assert "deploy access: 2 pipeline identities (1 into production)" in result.stdout


# --- self-service ------------------------------------------------------------------------------------------------

def test_add_deploy_round_trip_keeps_comments_and_validates(scratch_repo: Path) -> None:
    path = scratch_repo / "tenants/zaakregister.yaml"
    before = path.read_text()
    result = runner.invoke(app, ["add-deploy", "zaakregister", "production", "--github", "MinBZK/zaak",
                                 "--ref", "refs/heads/main", "--root", str(scratch_repo)])
    assert result.exit_code == 1
    assert "may be deployed only from a GitHub environment" in result.output
    assert path.read_text() == before
    result = runner.invoke(app, ["add-deploy", "zaakregister", "production", "--github", "MinBZK/zaak",
                                 "--ci-environment", "production", "--root", str(scratch_repo)])
    assert result.exit_code == 0, result.output
    after = path.read_text()
    assert after.startswith(before.rstrip("\n"))  # every existing line (and comment) untouched
    assert after.endswith("    deploy:\n      - github: MinBZK/zaak\n        environment: production\n")
    result = runner.invoke(app, ["add-deploy", "zaakregister", "acc", "--gitlab", "rig/zaak", "--ref", "main",
                                 "--root", str(scratch_repo)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["add-deploy", "zaakregister", "nope", "--github", "MinBZK/zaak",
                                 "--ci-environment", "x", "--root", str(scratch_repo)])
    assert result.exit_code == 1
    assert "has no environment 'nope'" in result.output


# --- bootstrap ClusterRole and docs ---------------------------------------------------------------------------------

FORBIDDEN = {"roles", "rolebindings", "clusterroles", "clusterrolebindings", "resourcequotas", "limitranges",
             "namespaces", "networkpolicies", "pods/exec", "pods/attach", "pods/portforward", "serviceaccounts/token",
             "nodes", "persistentvolumes", "*"}


def test_tenant_deployer_clusterrole_is_least_privilege() -> None:
    import kubernetes_validate

    role = yaml.safe_load((REPO / "platform/bootstrap/tenant-deployer.yaml").read_text())
    kubernetes_validate.validate(role, "1.34", strict=True)
    assert role["kind"] == "ClusterRole"
    assert role["metadata"]["name"] == "tenant-deployer"
    assert "aggregationRule" not in role
    assert not any(k.startswith("rbac.authorization.k8s.io/aggregate") for k in role["metadata"]["labels"])
    granted = {(group, resource): set(rule["verbs"]) for rule in role["rules"]
               for group in rule["apiGroups"] for resource in rule["resources"]}
    assert not {resource for _, resource in granted} & FORBIDDEN
    assert not any(group in ("rbac.authorization.k8s.io", "*") for group, _ in granted)
    assert all(verbs <= {"get", "list", "watch", "create", "update", "patch", "delete"} for verbs in granted.values())
    for needed in [("apps", "deployments"), ("", "services"), ("", "configmaps"), ("", "secrets"),
                   ("networking.k8s.io", "ingresses"), ("batch", "jobs"), ("batch", "cronjobs")]:
        assert {"create", "patch", "delete"} <= granted[needed], needed
    assert granted[("", "pods")] == granted[("", "pods/log")] == {"get", "list", "watch"}


EXAMPLES = REPO / "docs/examples"


def test_the_docs_examples_use_the_settings_audience_and_no_secret(settings) -> None:
    audiences = {provider.kind: provider.audience for provider in settings.ci_identity_providers}
    github = yaml.safe_load((EXAMPLES / "github-actions-deploy.yml").read_text())
    assert github["env"]["AUDIENCE"] == audiences["github"]
    for job in github["jobs"].values():
        assert job["permissions"]["id-token"] == "write"
        assert job["environment"] in ("test", "production")
    gitlab = yaml.safe_load((EXAMPLES / "gitlab-ci-deploy.yml").read_text())
    assert gitlab["deploy-prod"]["id_tokens"]["KUBE_ID_TOKEN"]["aud"] == audiences["gitlab"]
    for path in EXAMPLES.iterdir():
        assert "${{ secrets." not in path.read_text()
        assert "CI_JOB_TOKEN" not in path.read_text()
    amt = yaml.safe_load((FIXTURE / "tenants/amt.yaml").read_text())
    assert [e["deploy"] for e in amt["environments"].values()] == [
        [{"github": "MinBZK/amt", "environment": "test"}], [{"github": "MinBZK/amt", "environment": "production"}]]


@pytest.mark.parametrize(("schema", "example"), [("vendor.github-workflows", "github-actions-deploy.yml"),
                                                 ("vendor.gitlab-ci", "gitlab-ci-deploy.yml")])
def test_the_docs_examples_match_the_ci_schemas(schema: str, example: str) -> None:
    result = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(EXAMPLES / example)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_github_example_passes_actionlint() -> None:
    result = subprocess.run([str(BIN / "actionlint"), str(EXAMPLES / "github-actions-deploy.yml")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
