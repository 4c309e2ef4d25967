"""Benchmark the offline jobs on a fleet the size of a government peer's (~1,460 namespaces).

Each figure is a ratio against a baseline measured in the same run, so machines can be compared:
- validate: load + check every tenant file  vs  only parsing the same files with ruamel.yaml (the floor);
- plan read: reading the base revision with one `git cat-file --batch`  vs  one `git show` per file;
- plan: the whole base-vs-head plan  vs  validate alone.

Run: .venv/bin/python benchmarks/bench_fleet.py [--tenants 730]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tenantctl.checks.revision import load_revision
from tenantctl.checks.workspace import open_workspace
from tenantctl.objects.desired_state import fleet_state
from tenantctl.review.plan import build_plan
from tenantctl.source.tree import git_tenant_files, resolve_commit
from tenantctl.source.yaml import new_yaml

REPO = Path(__file__).resolve().parent.parent


def best_of(runs: int, job: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def make_fleet(root: Path, count: int) -> None:
    template = (REPO / "tenants/amt.yaml").read_text()
    shutil.copytree(REPO / "platform", root / "platform")
    (root / "tenants").mkdir()
    for index in range(count):
        name = f"team-{index:04d}"
        (root / "tenants" / f"{name}.yaml").write_text(template.replace("name: amt ", f"name: {name} "))
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=b", "-c", "user.email=b@example.org", "commit", "-qm", "fleet"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    first = root / "tenants/team-0000.yaml"
    first.write_text(first.read_text().replace("  prod:\n    cpu: 4", "  prod:\n    cpu: 8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=730, help="tenants of 2 namespaces each (default 730)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_fleet(root, args.tenants)
        ws = open_workspace(root)
        files = sorted((root / "tenants").glob("*.yaml"))

        def parse_only() -> None:
            yaml = new_yaml()
            for path in files:
                yaml.load(path.read_bytes())

        def per_file_git_show() -> None:
            for path in files:
                subprocess.run(["git", "show", f"main:tenants/{path.name}"], cwd=root, check=True,
                               capture_output=True)

        def plan() -> None:
            base_settings, base = load_revision(root, "main", ws.settings)
            build_plan(base, ws.load(), base_settings, ws.settings, "main")

        fleet = ws.load()
        assert fleet.valid, fleet.problems[:3]
        figures = {
            "parse only (baseline)": best_of(args.runs, parse_only),
            "validate": best_of(args.runs, ws.load),
            "render (desired state)": best_of(args.runs, lambda: fleet_state([t.tenant for t in fleet.tenants],
                                                                             ws.settings)),
            "git show per file (baseline)": best_of(1, per_file_git_show),
            "git cat-file --batch": best_of(args.runs, lambda: git_tenant_files(root, resolve_commit(root, "main"))),
            "plan (base vs head)": best_of(args.runs, plan),
        }
    print(f"fleet: {args.tenants} tenants, {2 * args.tenants} namespaces; best of {args.runs} runs")
    for name, seconds in figures.items():
        print(f"  {name:<30} {seconds * 1000:9.1f} ms")
    print(f"  validate / parse only:          {figures['validate'] / figures['parse only (baseline)']:.2f}x")
    print(f"  git show / cat-file --batch:    "
          f"{figures['git show per file (baseline)'] / figures['git cat-file --batch']:.1f}x faster with batch")
    print(f"  plan / validate:                {figures['plan (base vs head)'] / figures['validate']:.2f}x")


if __name__ == "__main__":
    main()
