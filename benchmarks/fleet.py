"""Generate a realistic fleet of tenant files in a scratch git repository (fixed seed, so runs compare).

The shapes follow a government peer's real fleet (docs in /work/shared/DESIGN.md §10): environment names vary
(dev, development, test, staging, uat, qa, preprod, acc, training, demo, prod, production), a tenant has 1-6
environments, the median team owns two tenants and the largest many, names reach the 63-character namespace
limit, groups look like `github:team-name`, files carry comments, and both block and flow style appear, with some
quoted values, some volumes with a storage class, and backups where production or the classification needs them.

Every generated tenant is valid against the fixture settings (tests/fixtures/repo/platform/settings.yaml), so
render, check, cost and plan run over the whole fleet.

    python benchmarks/fleet.py DIR --tenants 1000      # writes DIR/{tenants,platform}, commits on `main`,
                                                       # then changes one tenant in the working tree (the PR)
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests/fixtures/repo"
SEED = 20261123

ENVIRONMENTS = ["dev", "development", "test", "staging", "uat", "qa", "preprod", "acc", "training", "demo",
                "prod", "production"]
PRODUCTION = {"prod", "production"}
WORDS = ["case", "permit", "zaak", "burger", "portal", "api", "data", "register", "search", "docs", "payments",
         "identity", "forms", "archive", "geo", "maps", "benefits", "tax", "health", "court", "licence", "grants",
         "analytics", "notify", "inbox", "events", "ledger", "catalogue", "workflow", "reporting"]
TEAMS = ["Team Zaken", "Innovatielab", "Rijks ICT Gilde", "Platform Burgerzaken", "Digitale Dienstverlening",
         "Team Geo", "Belastingdienst Apps", "Data & Analytics", "Team Identiteit", "Open Overheid"]
CPUS: list[object] = [1, 2, 4, "500m", "250m", 8, "1500m", 2, 1, 4, 0.5, "2.5"]
MEMORY = ["1Gi", "2Gi", "4Gi", "8Gi", "16Gi", "512Mi", "1000Mi", "4Gi"]
SIZES = ["1Gi", "5Gi", "10Gi", "20Gi", "50Gi", "100Gi", "250Gi"]
VOLUME_NAMES = ["data", "database", "documents", "uploads", "search-index", "cache", "media"]


def tenant_name(rng: random.Random, index: int) -> str:
    if rng.random() < 0.05:  # long names, up to the namespace limit with `-development` (12 characters)
        words = "-".join(rng.choice(WORDS) for _ in range(8))
        return f"{words[:44].rstrip('-')}-{index}"
    return f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{index}"


def _scalar(rng: random.Random, value: object) -> str:
    """Quantities as teams write them: mostly bare, sometimes quoted."""
    return f'"{value}"' if isinstance(value, str) and rng.random() < 0.3 else str(value)


def environment_lines(rng: random.Random, env: str, classification: str, flow: bool) -> list[str]:
    cpu = rng.choice(CPUS)
    lines = [f"  {env}:", f"    cpu: {_scalar(rng, cpu)}", f"    memory: {_scalar(rng, rng.choice(MEMORY))}"]
    volumes = rng.choice([0, 1, 1, 1, 2, 3])
    if volumes:
        lines.append("    storage:")
        for name in rng.sample(VOLUME_NAMES, volumes):
            size = rng.choice(SIZES)
            if flow:
                extra = ", storage_class: fast-ssd" if rng.random() < 0.3 else ""
                lines.append(f"      - {{name: {name}, size: {size}{extra}}}")
            else:
                lines += [f"      - name: {name}", f"        size: {_scalar(rng, size)}"]
                if rng.random() < 0.3:
                    lines.append(f"        storage_class: {rng.choice(['standard', 'fast-ssd'])}"
                                 "   # the platform's allow-list")
    if env in PRODUCTION or classification != "BBN1" or rng.random() < 0.3:
        per_day, days = rng.choice([(1, 14), (2, 30), (4, 30), (2, 90), (1, 7)])
        if flow:
            lines.append(f"    backups: {{per_day: {per_day}, retention_days: {days}}}")
        else:
            lines += ["    backups:", f"      per_day: {per_day}", f"      retention_days: {days}"]
    if rng.random() < 0.1 and env not in PRODUCTION:
        lines.append("    production: false")
    return lines


def tenant_text(rng: random.Random, name: str, team: str) -> str:
    classification = "BBN3" if rng.random() < 0.05 else rng.choice(["BBN1", "BBN2"])
    flow = rng.random() < 0.35
    slug = team.lower().replace(" & ", "-").replace(" ", "-")
    lines = ["# yaml-language-server: $schema=../schema/tenant.schema.json"]
    if rng.random() < 0.5:
        lines.append(f"# {name}: maintained by {team}; ask in #platform before raising limits.")
    lines += [f"name: {name}", f"description: {rng.choice(WORDS).title()} service for {team}"
              + (" (migrated from the old platform, see the runbook)" if rng.random() < 0.2 else ""),
              "owner:", f"  team: {team}" if rng.random() < 0.7 else f'  team: "{team}"',
              f"  contact: {slug}@example.org",
              f"  cost_center: {rng.choice(['RIG', 'GEM', 'INN', 'BZK', 'FIN'])}-{rng.randint(1, 9999):04d}",
              f"data_classification: {classification}"]
    groups = {role: [f"github:{slug}-{role}s"] for role in ("admin", "edit", "view") if rng.random() < 0.8}
    if rng.random() < 0.3:
        groups.setdefault("view", []).append("security-office")
    if groups:
        lines.append("access:")
        for role, members in groups.items():
            if flow or len(members) > 1:
                lines.append(f"  {role}: [{', '.join(repr(m) if ':' in m else m for m in members)}]")
            else:
                lines += [f"  {role}:", *(f'    - "{m}"' for m in members)]
    lines.append("environments:")
    # 1-6 environments, two on average (the peer's fleet: 1,460 namespaces for 721 tenants)
    count = rng.choices([1, 2, 3, 4, 5, 6], weights=[25, 50, 15, 5, 3, 2])[0]
    names = rng.sample(ENVIRONMENTS, count)
    for env in names:
        fitted = env if len(name) + 1 + len(env) <= 63 else env[: 63 - len(name) - 1] or "x"
        lines += environment_lines(rng, fitted, classification, flow)
    return "\n".join(lines) + "\n"


def team_handle(team: str) -> str:
    """As tenantctl.rules.codeowners.team_handle: `Rijks ICT Gilde` -> `rijks-ict-gilde`."""
    return re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-") or "team"


def teams(rng: random.Random, count: int) -> list[str]:
    """Team names owning the tenants: a median of two tenants per team, a few teams with many."""
    owners: list[str] = []
    number = 0
    while len(owners) < count:
        size = rng.choice([1, 1, 2, 2, 2, 3, 4]) if rng.random() < 0.97 else rng.randint(10, 69)
        owners += [f"{rng.choice(TEAMS)} {number}"] * size
        number += 1
    return owners[:count]


def make_fleet(root: Path, count: int, seed: int = SEED) -> list[str]:
    """Write `count` tenants and the fixture settings under `root`, commit them on `main` in a new git repository,
    then change one tenant's cpu in the working tree. Returns the tenant file names."""
    rng = random.Random(seed)
    shutil.copytree(FIXTURE / "platform", root / "platform")
    shutil.copytree(FIXTURE / "schema", root / "schema")
    (root / "tenants").mkdir()
    names = []
    owners = ["# Tenants: each file to its own team and the platform team."]
    for index, team in enumerate(teams(rng, count)):
        name = tenant_name(rng, index)
        (root / "tenants" / f"{name}.yaml").write_text(tenant_text(rng, name, team), encoding="utf-8")
        names.append(f"{name}.yaml")
        owners.append(f"/tenants/{name}.yaml @example-org/{team_handle(team)} @example-org/platform-team")
    (root / ".github").mkdir()
    (root / ".github/CODEOWNERS").write_text("*  @example-org/platform-team\n" + "\n".join(owners) + "\n"
                                             "/platform/  @example-org/platform-team @example-org/security-team\n",
                                             encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "fleet"], cwd=root, check=True)
    change_one(root, sorted(names)[len(names) // 2])
    return names


def change_one(root: Path, file_name: str | None = None, memory: str = "24Gi") -> None:
    """The pull request: one tenant (by default the middle one) sets the memory of its first environment."""
    path = root / "tenants" / (file_name or sorted(p.name for p in (root / "tenants").glob("*.yaml"))[
        len(list((root / "tenants").glob("*.yaml"))) // 2])
    text = path.read_text(encoding="utf-8")
    start = text.index("    memory: ")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"    memory: {memory}" + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    make_fleet(args.directory, args.tenants, args.seed)
    print(f"{args.tenants} tenants in {args.directory}")


if __name__ == "__main__":
    main()
