"""`tenantctl render`: a snapshot of the canonical tenant, filters, and output that is exactly the desired state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML
from typer.testing import CliRunner

from tenantctl.cli.app import app
from tenantctl.objects.desired_state import fleet_objects
from tests.conftest import FIXTURE, REPO

GOLDEN = REPO / "tests/golden/render-amt.yaml"
runner = CliRunner()


def test_render_snapshot_of_the_canonical_tenant() -> None:
    """Regenerate after a deliberate change with `UPDATE_GOLDEN=1 pytest tests/test_render.py` and review the diff."""
    result = runner.invoke(app, ["render", "--tenant", "amt"])
    assert result.exit_code == 0
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(result.stdout)
    assert result.stdout == GOLDEN.read_text()


def test_the_canonical_request_in_the_rendered_objects() -> None:
    """Two namespaces, each 4 cores and 4 GiB, a 100 GiB volume, two backups a day."""
    objects = list(YAML(typ="safe", pure=True).load_all(runner.invoke(app, ["render", "--tenant", "amt"]).stdout))
    kinds = [obj["kind"] for obj in objects]
    assert kinds.count("Namespace") == 2 and [o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"] \
        == ["amt-prod", "amt-test"]
    quotas = [o["spec"]["hard"] for o in objects if o["kind"] == "ResourceQuota"]
    assert [(q["requests.cpu"], q["requests.memory"]) for q in quotas] == [("4", "4Gi")] * 2
    claims = [o for o in objects if o["kind"] == "PersistentVolumeClaim"]
    assert [c["spec"]["resources"]["requests"]["storage"] for c in claims] == ["100Gi"] * 2
    schedules = [o for o in objects if o["kind"] == "Schedule"]
    assert [s["spec"]["schedule"] for s in schedules] == ["0 6,18 * * *"] * 2
    assert sorted(s["spec"]["template"]["includedNamespaces"][0] for s in schedules) == ["amt-prod", "amt-test"]


def test_render_is_deterministic_across_processes() -> None:
    """Two processes with different hash seeds (set and dict order of strings differ) render the same bytes."""
    outputs = [subprocess.run([sys.executable, "-m", "tenantctl", "render", "--root", str(FIXTURE)],
                              env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
                              capture_output=True, text=True, timeout=120, check=True).stdout
               for seed in ("1", "4242")]
    assert outputs[0] == outputs[1] and outputs[0].count("kind: Namespace") == 5


def test_render_is_the_desired_state(repo_workspace) -> None:
    first = runner.invoke(app, ["render"])
    assert first.exit_code == 0
    rendered = list(YAML(typ="safe", pure=True).load_all(first.stdout))
    expected = fleet_objects(list(repo_workspace.load().by_name().values()), repo_workspace.settings)
    assert sorted(map(repr, rendered)) == sorted(map(repr, expected))


def test_render_filters_and_refuses_unknown_tenants() -> None:
    result = runner.invoke(app, ["render", "--tenant", "amt", "--env", "prod"])
    assert result.exit_code == 0 and "amt-test" not in result.stdout and result.stdout.count("\n---\n") == 11
    assert runner.invoke(app, ["render", "--cluster", "cluster-a"]).stdout == runner.invoke(app, ["render"]).stdout
    assert runner.invoke(app, ["render", "--tenant", "nobody"]).exit_code == 2
    assert runner.invoke(app, ["render", "--cluster", "cluster-z"]).exit_code == 2


def test_render_refuses_an_invalid_fleet(scratch_repo: Path) -> None:
    (scratch_repo / "tenants/broken.yaml").write_text("name: broken\n")
    result = runner.invoke(app, ["render", "--root", str(scratch_repo)])
    assert result.exit_code == 1 and result.stdout == ""
    assert "tenants/broken.yaml:1:1: description: required field 'description' is missing" in result.stderr
