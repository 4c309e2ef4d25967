"""The incremental plan: a pull request that touches one tenant parses one tenant, not the whole fleet.

A tenant file whose git blob is the same at the base and in the head, under the same platform settings and the
same tool version, plans as "unchanged" by construction: same content, same settings, same code, same objects.
Only the other files are read, parsed and diffed on both sides. The fleet-wide figures (yearly cost before and
after, the policy-pack result over every head object, unique names and namespaces) still need every unchanged
tenant: they come from a per-tenant summary cache keyed by (path, blob sha, settings sha, tool version), kept
under the cache folder (`$TENANTCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/tenantctl`, else `~/.cache/tenantctl`; CI
restores it with actions/cache). A cold cache computes the missing summaries and stores them.

Whenever the shortcut could differ from the full plan it is not taken (`plan_incrementally` returns None and the
caller plans in full): unreadable base, settings that differ between the sides, anything in `tenants/` that is
not a regular file, any error in the head (so the full path reports it), or a name or namespace that is not
unique. A test checks that the incremental plan equals the full plan.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import astuple, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tenantctl.checks.loading import Fleet, SettingsError, load_settings, load_tenant
from tenantctl.checks.revision import Side
from tenantctl.model.loaded import LoadedTenant
from tenantctl.model.settings import Settings
from tenantctl.objects.desired_state import Obj, tenant_objects
from tenantctl.review.cost import tenant_cost
from tenantctl.review.gate import apply_gate, lifecycle
from tenantctl.review.plan import Plan, TenantPlan, build_plan
from tenantctl.review.plan_report import Guardrails
from tenantctl.rules.domain import approval_reasons
from tenantctl.source.inert import plain
from tenantctl.source.problems import Problem
from tenantctl.source.tree import RevisionError, TenantFiles, changed_paths

TENANTS = "tenants"
SETTINGS = "platform/settings.yaml"
REGULAR = (b"100644", b"100755")
CACHE_FORMAT = 1

# The policy pack run offline (tenantctl.objects.guardrails.check_objects, passed in by the CLI: this layer stays
# free of pulumi-policy) and what it finds, as (policy, level, tenant, object, message) tuples.
PolicyCheck = Callable[[list[Obj], Settings], list[Any]]
ViolationRow = tuple[str, str, str, str, str]


@dataclass
class IncrementalPlan:
    plan: Plan
    guardrails: Guardrails
    head_tenants: list[LoadedTenant]  # the head tenants that were read (every touched tenant is among them)
    settings: Settings
    parsed: int  # files parsed, both sides


def guardrails_from(violations: list[ViolationRow], tenants: int, policies: int) -> Guardrails:
    """The plan's policy-pack line from the head's violations, sorted (one wording for full and incremental)."""
    if not violations:
        return Guardrails(True, f"{tenants} tenant file(s) valid; {policies} policies passed")
    # Policy names are ours and object ids are made of validated DNS labels.
    listed = "; ".join(f"{policy} on {plain(obj, 200)}" for policy, _, _, obj, _ in violations[:10])
    more = f" and {len(violations) - 10} more" if len(violations) > 10 else ""
    return Guardrails(False, f"{len(violations)} policy violation(s): {listed}{more} (run: tenantctl check)")


def blob_sha(raw: bytes) -> str:
    """The git blob id of `raw` (what `git hash-object` prints), so disk and git contents compare by id."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


def tool_version() -> str:
    """A digest of this package's code: a new tool version never reuses an old summary."""
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path:
    explicit = os.environ.get("TENANTCTL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tenantctl"


# --- summaries ----------------------------------------------------------------------------------------------

def summarize(loaded: LoadedTenant | None, problems: list[Problem], settings: Settings,
              check: PolicyCheck, today: datetime.date) -> dict[str, Any]:
    """What the plan needs of a tenant that did not change: validity, names, cost, approvals, policy results."""
    summary: dict[str, Any] = {"problems": [astuple(problem) for problem in problems]}
    if loaded is None:
        return summary
    tenant = loaded.tenant
    summary.update(
        name=tenant.name,
        namespaces=[tenant.namespace(env) for env in tenant.environments],
        yearly=str(tenant_cost(tenant, settings).yearly),
        approvals=approval_reasons(tenant, settings),
        decommissioned=not tenant.active,
        owner=[tenant.owner.team, tenant.owner.cost_center],
        violations=[astuple(v) for v in check(tenant_objects(tenant, settings), settings)],
        # the review gate's verdict on the tenant compared with itself (e.g. `production: false` on an
        # environment named like production): such a tenant is read and planned like a changed one
        gate=any(lifecycle(tenant, tenant, settings, today)),
    )
    return summary


def unchanged_plan(summary: dict[str, Any]) -> TenantPlan:
    """The TenantPlan that `tenant_plan` gives a tenant identical on both sides."""
    yearly = Decimal(summary["yearly"])
    return TenantPlan(tenant=summary["name"], status="unchanged", changes=[], cost_before=yearly, cost_after=yearly,
                      approvals=list(summary["approvals"]), decommissioned=summary["decommissioned"],
                      owner=(summary["owner"][0], summary["owner"][1]))


class SummaryCache:
    """One JSON file per (settings sha, tool version): {"path\\0blob": summary}."""

    def __init__(self, folder: Path, settings_sha: str, version: str) -> None:
        self.path = folder / f"plan-{settings_sha[:20]}-{version[:20]}.json"
        self.changed = False
        try:
            self.entries: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def get(self, path: str, blob: str) -> dict[str, Any] | None:
        return self.entries.get(f"{path}\0{blob}")

    def put(self, path: str, blob: str, summary: dict[str, Any]) -> None:
        self.entries[f"{path}\0{blob}"] = summary
        self.changed = True

    def save(self, keep: set[str]) -> None:
        """Write the summaries of the files seen in this run (older ones are dropped), atomically."""
        entries = {key: value for key, value in self.entries.items() if key in keep}
        if not self.changed and len(entries) == len(self.entries):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False, encoding="utf-8") as handle:
                json.dump(entries, handle, separators=(",", ":"))
            os.replace(handle.name, self.path)
        except OSError:
            pass  # a read-only or full disk only costs the next run its warm start


# --- git ------------------------------------------------------------------------------------------------------

def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    try:
        result = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout


def _base_listing(root: Path, commit: str) -> dict[str, str] | None:
    """{path: blob id} of the files `load_revision` reads at `commit`; None if anything is not a regular file."""
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", f"{TENANTS}/")
    if listing is None:
        return None
    blobs: dict[str, str] = {}
    for record in filter(None, listing.split(b"\0")):
        meta, _, path = record.partition(b"\t")
        mode, kind, blob = meta.split()
        if mode not in REGULAR or kind != b"blob":
            return None
        try:
            name = path.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if "/" in name[len(TENANTS) + 1:] or not _tenant_name(name[len(TENANTS) + 1:]):
            return None  # sub-folders and other files: the full path warns or refuses
        blobs[name] = blob.decode()
    return blobs


def _read_blobs(root: Path, blobs: list[str]) -> list[bytes] | None:
    if not blobs:
        return []
    batch = _git(root, "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in blobs).encode())
    if batch is None:
        return None
    contents, offset = [], 0
    for _ in blobs:
        header_end = batch.index(b"\n", offset)
        size = int(batch[offset:header_end].split()[2])
        contents.append(batch[header_end + 1: header_end + 1 + size])
        offset = header_end + 1 + size + 1
    return contents


# --- the plan -------------------------------------------------------------------------------------------------

def plan_incrementally(  # noqa: PLR0911, PLR0912, PLR0915 - one pass; every early return means "plan in full"
        root: Path, base_ref: str, check: PolicyCheck, policies: int, today: datetime.date, *,
        folder: Path | None = None) -> IncrementalPlan | None:
    """The plan of the working tree against `base_ref`, reading only the tenant files that changed; None when
    only the full plan can say (see the module docstring)."""
    sides = _sides(root, base_ref)
    if sides is None:
        return None
    head_settings_raw, base, head, commit_id = sides
    try:
        settings = load_settings(root / SETTINGS)
    except SettingsError:
        return None

    cache = SummaryCache(folder or cache_dir(), hashlib.sha256(head_settings_raw).hexdigest(), tool_version())
    kept: set[str] = set()
    unchanged: list[dict[str, Any]] = []
    changed_head: list[tuple[str, bytes]] = []
    for git_path, (display, raw) in sorted(head.items()):
        blob = blob_sha(raw)
        if base.get(git_path) != blob:
            changed_head.append((display, raw))
            continue
        summary = cache.get(display, blob)
        if summary is None:
            summary = summarize(*load_tenant(raw, display, settings), settings, check, today)
            cache.put(display, blob, summary)
        kept.add(f"{display}\0{blob}")
        if summary.get("gate"):
            changed_head.append((display, raw))  # planned like a changed tenant, read on both sides
        else:
            unchanged.append(summary)
    cache.save(kept)

    read_head = {display for display, _ in changed_head}
    changed_base_paths = sorted(path for path, blob in base.items() if head.get(path) is None
                                or blob_sha(head[path][1]) != blob or head[path][0] in read_head)
    base_contents = _read_blobs(root, [base[path] for path in changed_base_paths])
    if base_contents is None:
        return None

    head_fleet, head_problems = Fleet(), []
    for display, raw in changed_head:
        loaded, problems = load_tenant(raw, display, settings)
        head_problems.extend(problems)
        if loaded:
            head_fleet.tenants.append(loaded)
    base_fleet = Fleet()
    for path, raw in zip(changed_base_paths, base_contents, strict=True):
        loaded, problems = load_tenant(raw, path, settings)
        if loaded is None or any(p.severity == "error" for p in problems):
            return None  # an unreadable base file: the full path decides whether that blocks the plan
        base_fleet.tenants.append(loaded)

    if any(p.severity == "error" for p in head_problems) or any(
            problem[5] == "error" or "name" not in summary for summary in unchanged for problem in
            [*summary["problems"], (0, 0, 0, 0, 0, "approval")]):
        return None  # an invalid head: the full path reports every problem
    unchanged_names = [summary["name"] for summary in unchanged]
    names = unchanged_names + [loaded.tenant.name for loaded in head_fleet.tenants]
    namespaces = [ns for summary in unchanged for ns in summary["namespaces"]] + [
        loaded.tenant.namespace(env) for loaded in head_fleet.tenants for env in loaded.tenant.environments]
    moved = set(unchanged_names) & {loaded.tenant.name for loaded in base_fleet.tenants}
    if len(set(names)) != len(names) or len(set(namespaces)) != len(namespaces) or moved:
        return None  # a clash across files: the full path says where

    try:
        changed = changed_paths(root, commit_id, None)
    except RevisionError:
        return None
    partial = build_plan(base_fleet, head_fleet, settings, settings, base_ref, today=today)
    apply_gate(partial, Side(base_ref, commit_id, settings, base_fleet, TenantFiles()),
               Side("working tree", None, settings, head_fleet, TenantFiles()), changed, today)
    partial.tenants = sorted(partial.tenants + [unchanged_plan(summary) for summary in unchanged],
                             key=lambda item: item.tenant)
    violations: list[ViolationRow] = [tuple(item) for summary in unchanged for item in summary["violations"]]
    for loaded in head_fleet.tenants:
        violations.extend(astuple(v) for v in check(tenant_objects(loaded.tenant, settings), settings))
    guardrails = guardrails_from(sorted(violations), len(names), policies)
    return IncrementalPlan(partial, guardrails, head_fleet.tenants, settings,
                           len(changed_head) + len(changed_base_paths))


def _sides(root: Path, base_ref: str) -> tuple[bytes, dict[str, str], dict[str, tuple[str, bytes]], str] | None:
    """(settings content, base {git path: blob id}, head {git path: (display path, content)}), or None when the
    settings differ between the sides or a side cannot be read as `load_revision` and `Workspace.load` read it."""
    commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base_ref}^{{commit}}")
    if not commit:
        return None
    commit_id = commit.decode().strip()
    settings_raw = _read_file(root / SETTINGS)
    base_settings_blob = _git(root, "rev-parse", "--verify", "--quiet", f"{commit_id}:{SETTINGS}")
    if settings_raw is None or base_settings_blob is None \
            or base_settings_blob.decode().strip() != blob_sha(settings_raw):
        return None  # settings differ (or are missing): every tenant may change
    base = _base_listing(root, commit_id)
    if base is None:
        return None
    head: dict[str, tuple[str, bytes]] = {}
    folder = root / TENANTS
    try:  # only `<name>.yaml` regular files: anything else (warned about or refused) takes the full path
        names = sorted(entry.name for entry in os.scandir(folder))
    except OSError:
        return None
    for name in names:
        raw = _read_file(folder / name) if _tenant_name(name) else None
        if raw is None:
            return None
        head[f"{TENANTS}/{name}"] = (f"{TENANTS}/{name}", raw)
    return settings_raw, base, head, commit_id


def _tenant_name(name: str) -> bool:
    return name.endswith(".yaml") and len(name) > 5 and name.isprintable() and not name.startswith(".")


def _read_file(path: Path) -> bytes | None:
    """A regular file's content; None for a symlink, a folder, a device or anything unreadable."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        os.close(descriptor)
