"""Keyless deploy access: `tenantctl add-deploy` (a round-trip edit, like `add-volume`) and
`tenantctl authentication-config` (the API server's AuthenticationConfiguration, for the platform bootstrap)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tenantctl.cli.support import RootOption, fail, stderr, stdout, workspace


class ApiVersion(StrEnum):
    v1beta1 = "v1beta1"
    v1 = "v1"


def add_deploy(
    tenant: Annotated[str, typer.Argument(help="Tenant name.")],
    environment: Annotated[str, typer.Argument(help="Environment, e.g. prod.")],
    github: Annotated[str | None, typer.Option(help="GitHub repository owner/repo, e.g. MinBZK/amt.")] = None,
    gitlab: Annotated[str | None, typer.Option(help="GitLab project group/project, e.g. rig/amt-deploy.")] = None,
    ci_environment: Annotated[str | None, typer.Option("--ci-environment", help="GitHub: the GitHub environment "
                                                          "the deploy job runs in (mandatory in production).")] = None,
    ref: Annotated[str | None, typer.Option(help="Instead of --ci-environment: the one ref that may deploy "
                                               "(GitHub refs/heads/main; GitLab: a protected branch).")] = None,
    ref_type: Annotated[str | None, typer.Option(help="GitLab: branch (default) or tag.")] = None,
    provider: Annotated[str | None, typer.Option(help="Provider name from ci_identity_providers, where the "
                                                    "platform has several of one kind.")] = None,
    root: RootOption = Path("."),
) -> None:
    """Let a CI pipeline deploy into an environment with its own OIDC token (no stored secret)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from tenantctl.cli.commands.scaffold import _apply
    from tenantctl.selfservice.editing import EditError

    ws = workspace(root)
    entry = CommentedMap()
    for key, value in (("github", github), ("gitlab", gitlab), ("environment", ci_environment), ("ref", ref),
                       ("ref_type", ref_type), ("provider", provider)):
        if value is not None:
            entry[key] = value

    def change(data: CommentedMap) -> None:
        environments = data.get("environments")
        env = environments.get(environment) if isinstance(environments, CommentedMap) else None
        if not isinstance(env, CommentedMap):
            known = ", ".join(map(str, environments)) if isinstance(environments, CommentedMap) else "none"
            raise EditError(f"tenant {tenant!r} has no environment {environment!r} (it has: {known}); add it with "
                            f"`tenantctl add-env {tenant} {environment}`")
        deploy = env.get("deploy")
        if deploy is None:
            env["deploy"] = CommentedSeq([entry])
        elif isinstance(deploy, CommentedSeq):
            deploy.append(entry)
        else:
            raise EditError(f"environments.{environment}.deploy is not a list: fix it by hand first")

    _apply(ws, tenant, change)


def authentication_config(
    api_version: Annotated[ApiVersion, typer.Option(help="v1beta1: Kubernetes 1.30 and later (default); v1: only "
                                                    "1.34 and later.")] = ApiVersion.v1beta1,
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    validate: Annotated[Path | None, typer.Option(help="Only validate this existing file against the upstream "
                                                     "type and rules.", exists=True, dir_okay=False)] = None,
    root: RootOption = Path("."),
) -> None:
    """The API server's AuthenticationConfiguration (JWT issuers) from the settings' ci_identity_providers,
    validated offline against the upstream type before it is written."""
    import yaml

    from tenantctl.objects.authentication import authentication_configuration, validate_authentication_configuration

    if validate is not None:
        try:
            document = yaml.safe_load(validate.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            fail(f"{validate}: not YAML: {exc}")
        problems = validate_authentication_configuration(document)
        for problem in problems:
            stderr.print(f"{validate}: {problem}", markup=False)
        if problems:
            fail(f"{validate}: {len(problems)} problem(s): the API server would refuse to start with it")
        stdout.print(f"{validate}: valid AuthenticationConfiguration", markup=False)
        return
    ws = workspace(root)
    if not ws.settings.ci_identity_providers:
        fail("platform/settings.yaml has no ci_identity_providers: add one (see docs/deploy-access.md)")
    config = authentication_configuration(ws.settings, api_version.value)
    problems = validate_authentication_configuration(config)
    if problems:  # a bug in the generator, not the user's doing: refuse to hand it to an API server
        for problem in problems:
            stderr.print(problem, markup=False)
        fail("the generated AuthenticationConfiguration is invalid")
    text = ("# Generated by `tenantctl authentication-config` from platform/settings.yaml (ci_identity_providers).\n"
            "# Pass it to kube-apiserver with --authentication-config=<this file>; see docs/deploy-access.md.\n"
            + yaml.safe_dump(config, sort_keys=False))
    if output is None:
        print(text, end="")
        return
    output.write_text(text, encoding="utf-8")
    stdout.print(f"wrote {output}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("add-deploy")(add_deploy)
    app.command("authentication-config")(authentication_config)
