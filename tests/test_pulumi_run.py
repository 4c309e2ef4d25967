"""`__main__.py`'s entry point: the explicit per-cluster provider, and no run on invalid tenants."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
from google.protobuf.json_format import MessageToDict
from pulumi.runtime import mocks

from components.program import run
from tenantctl.checks.workspace import open_workspace
from tests.test_pulumi_program import PROJECT, STACK, Mocks, RecordingMonitor


def run_program(workspace) -> RecordingMonitor:
    monitor = RecordingMonitor(Mocks())
    mocks.set_mocks(Mocks(), project=PROJECT, stack=STACK, preview=False, monitor=monitor)

    @pulumi.runtime.test
    def program() -> None:
        run(workspace)

    program()
    return monitor


def test_provider_is_explicit_strict_and_safe(repo_workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", "/secrets/cluster-a.kubeconfig")
    monitor = run_program(repo_workspace)
    providers = [r for r in monitor.requests if r.type == "pulumi:providers:kubernetes"]
    assert [p.name for p in providers] == ["cluster-cluster-a"]
    inputs = MessageToDict(providers[0].object)
    assert inputs["kubeconfig"] == "/secrets/cluster-a.kubeconfig"
    assert inputs["context"] == "cluster-a"
    assert inputs["clusterIdentifier"] == "cluster-a"
    assert "deleteUnreachable" not in inputs and "upsertExistingObjects" not in inputs


def test_invalid_tenants_stop_the_run_before_any_resource(scratch_repo: Path, monkeypatch) -> None:
    monkeypatch.setenv("KUBECONFIG", "/secrets/cluster-a.kubeconfig")
    (scratch_repo / "tenants/broken.yaml").write_text("name: broken\n")
    with pytest.raises(Exception, match="tenant files are invalid; nothing was changed"):
        run_program(open_workspace(scratch_repo))


def test_missing_kubeconfig_is_a_clear_error(repo_workspace, monkeypatch) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    with pytest.raises(Exception, match="no kubeconfig"):
        run_program(repo_workspace)


def test_every_cluster_has_a_strict_stack_file(repo_workspace) -> None:
    from ruamel.yaml import YAML

    repo = Path(__file__).resolve().parent.parent
    project = YAML(typ="safe", pure=True).load((repo / "Pulumi.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    for cluster in repo_workspace.settings.clusters:
        stack = YAML(typ="safe", pure=True).load((repo / f"Pulumi.{cluster.stack}.yaml").read_text())
        config = stack["config"]
        assert config["kubernetes:strictMode"] == "true"
        assert not any("deleteUnreachable" in key or "upsertExistingObjects" in key for key in config)


def test_a_kubeconfig_stack_setting_is_never_used(repo_workspace, monkeypatch) -> None:
    """Issue 12: the kubeconfig always comes from the job's environment, never from a stack secret."""
    from pulumi.runtime import config as runtime_config

    monkeypatch.setenv("KUBECONFIG", "/job/kubeconfig")
    runtime_config.set_config(f"{PROJECT}:kubeconfig", "apiVersion: v1\nkind: Config\n# admin of the cluster\n")
    try:
        monitor = run_program(repo_workspace)
    finally:
        runtime_config.CONFIG.get().pop(f"{PROJECT}:kubeconfig", None)
    [provider] = [r for r in monitor.requests if r.type == "pulumi:providers:kubernetes"]
    assert MessageToDict(provider.object)["kubeconfig"] == "/job/kubeconfig"
    source = (Path(__file__).resolve().parent.parent / "components/program.py").read_text()
    assert "get_secret" not in source and "Config(" not in source
