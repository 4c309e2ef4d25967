"""Whole-process timings of every offline job on generated fleets, against the C-parse floor of the same run.

    python benchmarks/run.py                       # N = 10, 100, 1000, 10000
    python benchmarks/run.py --sizes 10 100 1000   # fewer sizes
    python benchmarks/run.py --runs 3              # best of 3 (default 1)

For each N, `benchmarks/fleet.py` writes a fleet into a scratch git repository (fixed seed; committed on `main`,
one tenant changed in the working tree = the pull request). Every job then runs as its own process, like a user
or CI runs it, and is measured from outside: wall-clock seconds and the peak resident memory of that process
(`os.wait4`, i.e. the child's getrusage). The floor is a process that only parses the same files with PyYAML's C
loader (`yaml.load(..., Loader=yaml.CSafeLoader)`); each ratio is against the floor measured in the same run.

Jobs: validate, render, cost, check, plan with a cold cache (cache folder removed) and warm (the cache filled by
that cold run; the pull request's tenant changed again so its new version is not in the cache), and the
Pulumi program under mocks (up to --pulumi-max tenants; per-tenant cost). Prints a markdown table for the README.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from fleet import change_one, make_fleet

FLOOR = ("import glob, yaml\n"
         "for path in sorted(glob.glob('tenants/*.yaml')):\n"
         "    with open(path, 'rb') as handle:\n"
         "        yaml.load(handle.read(), Loader=yaml.CSafeLoader)\n")


def measure(command: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def best(runs: int, command: list[str], cwd: Path, env: dict[str, str], before=None) -> tuple[float, float]:
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(measure(command, cwd, env))
    return min(results)


def jobs(cache: Path, count: int, pulumi_max: int) -> list[tuple[str, list[str], object]]:
    tenantctl = [sys.executable, "-m", "tenantctl"]

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    pushes = itertools.count(32)

    def next_push() -> None:
        """The pull request changes its tenant again: the cache knows every other file, not this version."""
        change_one(cache.parent, memory=f"{next(pushes)}Gi")

    listed: list[tuple[str, list[str], object]] = [
        ("floor: parse with PyYAML CSafeLoader", [sys.executable, "-c", FLOOR], None),
        ("`tenantctl validate`", [*tenantctl, "validate"], None),
        ("`tenantctl render`", [*tenantctl, "render"], None),
        ("`tenantctl cost`", [*tenantctl, "cost"], None),
        ("`tenantctl check`", [*tenantctl, "check"], None),
        ("`tenantctl plan --base main`, cold cache", [*tenantctl, "plan", "--base", "main"], cold),
        ("`tenantctl plan --base main`, warm cache", [*tenantctl, "plan", "--base", "main"], next_push),
    ]
    if count <= pulumi_max:
        listed.append(("Pulumi program under mocks", [sys.executable, str(HERE / "pulumi_mocks.py"), "."], None))
    return listed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=1, help="best of this many runs per job (default 1)")
    parser.add_argument("--pulumi-max", type=int, default=1000, help="largest fleet for the Pulumi program")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "0"}
    results: dict[str, dict[int, tuple[float, float]]] = {}
    startup: tuple[float, float] | None = None
    for count in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"fleet-{count}-") as tmp:
            root = Path(tmp)
            make_fleet(root, count)
            cache = root / ".tenantctl-cache"
            env["TENANTCTL_CACHE_DIR"] = str(cache)
            if startup is None:
                startup = best(max(args.runs, 3), [sys.executable, "-m", "tenantctl", "validate", "--help"], root, env)
            for name, command, before in jobs(cache, count, args.pulumi_max):
                results.setdefault(name, {})[count] = best(args.runs, command, root, env, before)
                seconds, rss = results[name][count]
                print(f"  N={count:>6} {name:<45} {seconds:8.2f} s {rss:8.0f} MiB", file=sys.stderr, flush=True)
    print(table(results, args.sizes, startup))


def table(results: dict[str, dict[int, tuple[float, float]]], sizes: list[int],
          startup: tuple[float, float] | None) -> str:
    floor = results["floor: parse with PyYAML CSafeLoader"]
    lines = ["| job | " + " | ".join(f"{n:,} tenants" for n in sizes) + " |", "|---|" + "---|" * len(sizes)]
    for name, by_size in results.items():
        cells = []
        for n in sizes:
            if n not in by_size:
                cells.append("—")
                continue
            seconds, rss = by_size[n]
            ratio = "" if name.startswith("floor") else f" ({seconds / floor[n][0]:.1f}×)"  # noqa: RUF001
            per_tenant = f", {seconds / n * 1000:.1f} ms/tenant" if name.startswith("Pulumi") else ""
            cells.append(f"{seconds:.2f} s{ratio}{per_tenant}, {rss:.0f} MiB")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if startup:
        lines.append(f"\nStart-up (`tenantctl validate --help`, best of 3): {startup[0]:.2f} s, {startup[1]:.0f} MiB. "
                     "Each cell: whole-process seconds (ratio to the floor in the same run), peak RSS.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
