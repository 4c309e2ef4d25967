"""The package's layers (source → model → rules → checks → objects → review/selfservice/ci → cli) are enforced."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, check=False)


def test_the_layers_contract_holds() -> None:
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path) -> None:
    for folder in ("tenantctl", "components"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    model = tmp_path / "tenantctl/model/tenant.py"
    model.write_text(model.read_text() + "\nfrom tenantctl.checks.loading import Fleet  # the wrong way\n")
    result = _lint(tmp_path)
    assert result.returncode == 1
    assert "tenantctl.model.tenant -> tenantctl.checks.loading" in result.stdout


def test_every_command_has_its_home_module() -> None:
    """`tenantctl X` imports only X's module: the table must name the module of every registered command."""
    from tenantctl.cli import app as cli_app

    for module in cli_app.COMMAND_MODULES:
        for name in cli_app._commands(module).commands:
            assert cli_app.COMMAND_HOME.get(name) == module, f"add {name!r}: {module!r} to COMMAND_HOME"
