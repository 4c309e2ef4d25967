"""Benchmark the worst hostile inputs of the suite through the real CLI: seconds and peak memory per case.

Not a timed test (machines differ): it shows that every command over hostile input finishes in bounded time and
memory. Each case is a copy of the fixture repository with one hostile file (or settings) added, checked by
`python -m tenantctl validate` in a child process; its peak RSS comes from the kernel (wait4). The first row is
the clean fixture repository, the floor every other row is compared with.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_hostile.py [--timeout 120]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tenantctl.source.yaml import MAX_FILE_BYTES
from tests.hostile.cases import CASES, ENV, HEADER

Setup = Callable[[Path], None]


def tenant(name: str, body: bytes) -> Setup:
    return lambda root: (root / "tenants" / f"{name}.yaml").write_bytes(body)


def case(name: str) -> Setup:
    found = next(item for item in CASES if item.name == name)
    return tenant(found.name, found.content())


def largest_unknown_keys(root: Path) -> None:
    """A file just under the size limit holding nothing but unknown keys: the most problems one file can make."""
    head = f"name: keys\n{HEADER}{ENV}".encode()
    lines, size, index = [], len(head), 0
    while True:
        line = f"k{index}: 1\n".encode()
        if size + len(line) > MAX_FILE_BYTES:
            break
        lines.append(line)
        size += len(line)
        index += 1
    (root / "tenants/keys.yaml").write_bytes(head + b"".join(lines))


def largest_flow_mapping(root: Path) -> None:
    """A file just under the size limit with one flow mapping of single-character values (most nodes per byte)."""
    head = f"name: flow\n{HEADER}{ENV}x: {{".encode()
    body = b", ".join(f"{i}: 1".encode() for i in range(30_000))
    (root / "tenants/flow.yaml").write_bytes(head + body[: MAX_FILE_BYTES - len(head) - 2].rsplit(b",", 1)[0] + b"}\n")


def fifo(root: Path) -> None:
    os.mkfifo(root / "tenants/pipe.yaml")


def dev_zero(root: Path) -> None:
    (root / "tenants/zero.yaml").symlink_to("/dev/zero")


def settings_bomb(root: Path) -> None:
    path = root / "platform/settings.yaml"
    laughs = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 12)]
    path.write_text(path.read_text() + "\n".join(laughs) + "\n")


def settings_zero(root: Path) -> None:
    path = root / "platform/settings.yaml"
    path.unlink()
    path.symlink_to("/dev/zero")


def every_case(root: Path) -> None:
    for item in CASES:
        (root / "tenants" / f"{item.name}.yaml").write_bytes(item.content())


ROWS: list[tuple[str, Setup]] = [
    ("clean fixture repository (floor)", lambda _root: None),
    ("alias bomb, 9^12 list items (sequence)", case("bomb-seq")),
    ("alias bomb, 4^14 mapping entries", case("bomb-map")),
    ("merge key", case("bomb-merge")),
    ("5,000 levels of [", case("deep")),
    ("3,000 levels of {", case("deep-map")),
    ("300 KiB file (over the limit)", case("oversize")),
    ("256 KiB of unknown keys (~27k problems, capped)", largest_unknown_keys),
    ("256 KiB flow mapping", largest_flow_mapping),
    ("200 KB number", case("digits-huge")),
    ("5,000-digit quantity", case("digits-quoted")),
    ("20 KB description", case("long-description")),
    ("FIFO in tenants/", fifo),
    ("symlink to /dev/zero in tenants/", dev_zero),
    ("alias bomb in platform/settings.yaml", settings_bomb),
    ("platform/settings.yaml -> /dev/zero", settings_zero),
    (f"all {len(CASES)} suite cases in one run", every_case),
]


def measure(setup: Setup, timeout: float) -> tuple[float, float, int | str]:
    """(seconds, peak RSS in MiB, exit code) of `tenantctl validate` on a fresh fixture copy with `setup` applied."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        shutil.copytree(REPO / "tests/fixtures/repo", root)
        setup(root)
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "tenantctl", "validate", "--root", str(root)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, "PYTHONPATH": str(REPO)})
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                return time.perf_counter() - started, usage.ru_maxrss / 1024, "timeout"
            time.sleep(0.01)
        process.returncode = os.waitstatus_to_exitcode(status)
        return time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120, help="Seconds before a case counts as unbounded.")
    args = parser.parse_args()
    print(f"{'case':<50} {'seconds':>8} {'peak RSS MiB':>13} {'exit':>5}")
    worst = (0.0, 0.0)
    for title, setup in ROWS:
        seconds, rss, code = measure(setup, args.timeout)
        worst = (max(worst[0], seconds), max(worst[1], rss))
        print(f"{title:<50} {seconds:>8.2f} {rss:>13.1f} {code!s:>5}", flush=True)
    print(f"worst: {worst[0]:.2f} s, {worst[1]:.1f} MiB peak RSS (file size limit {MAX_FILE_BYTES // 1024} KiB)")


if __name__ == "__main__":
    main()
