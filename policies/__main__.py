"""The policy pack. This is the only place a `PolicyPack` is constructed (doing so starts a server and blocks);
the policies themselves live in `tenantctl.objects.guardrails`, where tests and `tenantctl check` use them."""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from tenantctl.checks.loading import load_settings  # noqa: E402
from tenantctl.model.settings import SETTINGS_FILE  # noqa: E402
from tenantctl.objects.guardrails import build_policies  # noqa: E402

PolicyPack(
    name="tenant-platform",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(load_settings(REPO_ROOT / SETTINGS_FILE)),
)
