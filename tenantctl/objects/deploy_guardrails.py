"""The policy for keyless deploy access: pipeline users get `tenant-deployer` and nothing else, and
`tenant-deployer` is given only to pipeline users (User subjects with a configured CI username prefix)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs

from tenantctl.model.settings import Settings
from tenantctl.objects.deploy_access import DEPLOY_LABEL
from tenantctl.objects.registration import TYPE_TOKENS
from tenantctl.rules.deploy import DEPLOYER_ROLE

BINDING_KINDS = (TYPE_TOKENS["RoleBinding"], TYPE_TOKENS["ClusterRoleBinding"])

POLICY_ID = "deploy-bindings-keyless"
DESCRIPTION = ("Deploy bindings bind only `tenant-deployer`, and only to User subjects whose name carries a "
               "configured CI identity prefix (short-lived OIDC tokens); pipeline users get no other role.")
REMEDIATION = "List the pipeline under an environment's `deploy:`; do not bind CI users or tenant-deployer by hand."


def deployer_bindings(settings: Settings) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    prefixes = tuple(provider.username_prefix for provider in settings.ci_identity_providers)

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in BINDING_KINDS:
            return
        props: Mapping[str, Any] = args.props
        meta = props.get("metadata") or {}
        name = meta.get("name", "?")
        role_ref = props.get("roleRef") or {}
        subjects = props.get("subjects") or []
        is_deploy = (meta.get("labels") or {}).get(DEPLOY_LABEL) == "true"
        binds_deployer = role_ref.get("kind") == "ClusterRole" and role_ref.get("name") == DEPLOYER_ROLE
        ci_users = [s.get("name", "") for s in subjects
                    if s.get("kind") == "User" and prefixes and str(s.get("name", "")).startswith(prefixes)]
        if args.resource_type.endswith(":ClusterRoleBinding") and (binds_deployer or ci_users):
            report(f"{name} is a ClusterRoleBinding for deploy access: pipelines may deploy only into their own "
                   "namespaces (a RoleBinding from `deploy:`)", None)
            return
        if (is_deploy or ci_users) and not binds_deployer:
            report(f"{name} binds {role_ref.get('kind', '?')} {role_ref.get('name', '?')} to a CI pipeline: "
                   f"pipelines get ClusterRole {DEPLOYER_ROLE} only", None)
        if is_deploy or binds_deployer:
            for subject in subjects:
                subject_name = str(subject.get("name", ""))
                if subject.get("kind") != "User" or not (prefixes and subject_name.startswith(prefixes)):
                    report(f"{name} gives {DEPLOYER_ROLE} to {subject.get('kind', '?')} {subject_name!r}: only "
                           f"User subjects with a CI identity prefix ({', '.join(prefixes) or 'none configured'}) "
                           "may have it", None)
    return validate
