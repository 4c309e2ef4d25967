"""Where things live in the repository: the tenants folder and the platform settings file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tenantctl.checks.loading import Fleet, load_fleet, load_paths, load_settings
from tenantctl.model.settings import SETTINGS_FILE, Settings
from tenantctl.model.types import DNS_LABEL
from tenantctl.source.errors import UsageError
from tenantctl.source.tree import disk_tenant_files

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
        """`tenants/<name>.yaml`; the name is checked first, so no path is ever built from `../x` or `a/b`."""
        if not isinstance(name, str) or len(name) > 63 or not re.fullmatch(DNS_LABEL, name):
            raise UsageError(f"tenant name {name[:80]!r} is not a DNS label: use lowercase letters, digits and "
                             "'-', e.g. amt2 (the file is tenants/NAME.yaml)")
        return self.tenants_dir / f"{name}.yaml"

    def load(self, paths: Sequence[Path] = ()) -> Fleet:
        """Load and check the given tenant files (default: the whole tenants folder, under the same rules as a git
        revision: see `tenantctl.source.tree`)."""
        if paths:
            return load_paths(list(paths), self.settings)
        files = disk_tenant_files(self.root, str(self.tenants_dir))
        fleet = load_fleet(files.files, self.settings)
        fleet.problems = sorted(fleet.problems + files.problems)
        return fleet


def open_workspace(root: Path = Path(".")) -> Workspace:
    """Read the platform settings of the repository at `root` (raises SettingsError when invalid)."""
    return Workspace(root, load_settings(root / SETTINGS_FILE))
