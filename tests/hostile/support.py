"""Helpers of the hostile-input suite: run the CLI in a child process with a timeout, snapshot a tree to prove
nothing was written, and check that output is clean (no traceback, one line per error)."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Generous for a loaded 2-core CI runner; the benchmark (benchmarks/bench_hostile.py) reports the real figures.
CLI_TIMEOUT = 60


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = CLI_TIMEOUT,
            with_root: bool = True) -> Run:
    """`python -m tenantctl ARGS --root ROOT` in a child process; a hang fails the test instead of the suite."""
    started = time.perf_counter()
    root_args = ["--root", str(root)] if with_root else []
    result = subprocess.run([sys.executable, "-m", "tenantctl", *args, *root_args], cwd=root,
                            capture_output=True, text=True, timeout=timeout, check=False,
                            env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "200",
                                 **(env or {})})
    return Run(result.returncode, result.stdout, result.stderr, time.perf_counter() - started)


def assert_clean(run: Run) -> None:
    """No traceback, no Python exception names in the output, every error on one line."""
    assert "Traceback" not in run.output, run.output
    for name in ("Error:", "Exception", "decimal.", "ruamel", "pydantic"):
        assert name not in run.output.replace("error:", ""), f"{name!r} leaked into the output:\n{run.output}"


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every entry under `root` (links not followed, .git skipped): its mode and a hash of its content."""
    entries: dict[str, tuple[int, str]] = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts:
            continue
        info = path.lstat()
        digest = ""
        if stat.S_ISREG(info.st_mode):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        elif stat.S_ISLNK(info.st_mode):
            digest = os.readlink(path)
        entries[str(path.relative_to(root))] = (info.st_mode, digest)
    return entries
