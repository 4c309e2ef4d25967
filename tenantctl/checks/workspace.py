"""Where things live in the repository: the tenants folder and the platform settings file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from tenantctl.checks.loading import Fleet, load_paths, load_settings
from tenantctl.model.settings import SETTINGS_FILE, Settings

TENANTS_DIR = "tenants"


@dataclass(frozen=True)
class Workspace:
    """A checkout of the repository: its root, its platform settings."""

    root: Path
    settings: Settings

    @property
    def tenants_dir(self) -> Path:
        return self.root / TENANTS_DIR

    def tenant_path(self, name: str) -> Path:
        return self.tenants_dir / f"{name}.yaml"

    def load(self, paths: Sequence[Path] = ()) -> Fleet:
        """Load and check the given tenant files (default: the whole tenants folder)."""
        return load_paths(list(paths) or [self.tenants_dir], self.settings)


def open_workspace(root: Path = Path(".")) -> Workspace:
    """Read the platform settings of the repository at `root` (raises SettingsError when invalid)."""
    return Workspace(root, load_settings(root / SETTINGS_FILE))
