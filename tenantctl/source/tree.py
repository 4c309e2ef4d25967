"""Read the tenant files of one side of a change, from git objects or from a working tree, under ONE rule set.

Both sides of a plan (base and head) go through `select_tenant_files`, so a file that counts on one side counts
on the other, and a file that is refused is refused on both. The rules:

- a tenant file is a top-level **regular file** (git mode 100644/100755) in `tenants/` named `<something>.yaml`;
- refused (an error on either side, never skipped): `.yml` or other spellings of the YAML extension, symlinks,
  sub-folders, submodules and any other object type, names that are not UTF-8 or hold control, bidi or
  zero-width characters, and a `tenants` path that is not a folder;
- other regular files (`README.md`, `.gitkeep`) are not tenant files: a visible warning, never read.

Git is read with `git ls-tree -z` (names are NUL-terminated: a newline in a name cannot split a record) and
`git cat-file --batch` by blob id, after `git rev-parse --verify --end-of-options REV^{commit}`: a revision can
never become an option. No checkout, no filters, no hooks.
"""

from __future__ import annotations

import os
import stat
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tenantctl.source.errors import UsageError
from tenantctl.source.inert import INVISIBLE, plain
from tenantctl.source.problems import Problem

TENANTS_DIR = "tenants"
SETTINGS_FILE = "platform/settings.yaml"
TENANT_SUFFIX = ".yaml"
YAML_LOOKALIKES = (".yml", ".yaml")  # compared case-insensitively: `.YAML`, `.Yml`, ...

# git tree entry modes
MODE_FILE = ("100644", "100755")
MODE_SYMLINK = "120000"
MODE_TREE = "040000"
MODE_SUBMODULE = "160000"


class RevisionError(UsageError):
    """The revision cannot be read (unknown ref, not a git repository, corrupt object)."""


@dataclass(frozen=True)
class Entry:
    """One entry of the tenants folder: its raw name, what it is, and how to get its content."""

    name: bytes
    kind: str  # file | symlink | folder | submodule | other
    ref: str  # a blob id (git) or a filesystem path (working tree)


@dataclass
class TenantFiles:
    """What one side holds: the tenant files that count (display path, content) and what was refused."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # errors (refused) and warnings (ignored, visibly)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]


def display_name(raw: bytes) -> str:
    """A file name as it can be shown anywhere: not UTF-8 bytes, control, bidi and zero-width characters escaped."""
    return plain(raw.decode("utf-8", "backslashreplace"))


def unsafe_char(char: str) -> bool:
    """Control characters (C0, DEL, C1), bidi controls, zero-width and other invisible format characters,
    line/paragraph separators."""
    return unicodedata.category(char) in INVISIBLE


def _name_problem(name: bytes) -> str | None:
    try:
        text = name.decode("utf-8")
    except UnicodeDecodeError:
        return "the file name is not UTF-8"
    if any(unsafe_char(char) for char in text):
        return "the file name holds control, bidi or invisible characters"
    return None


def entry_verdict(entry: Entry) -> tuple[str, str] | None:
    """THE rule for one entry of `tenants/`: None when it is a tenant file, else (severity, message)."""
    lower = entry.name.lower()
    suffix = TENANT_SUFFIX.encode()
    name_problem = _name_problem(entry.name)
    if name_problem:
        return "error", f"{name_problem}: rename it to <tenant>.yaml (a DNS label)"
    refusals = {
        "symlink": "is a symbolic link: tenant files must be regular files (copy the content instead)",
        "folder": "is a folder: tenant files live directly in tenants/ (sub-folders are not read)",
        "submodule": "is a git submodule: tenant files must be regular files in this repository",
    }
    if entry.kind != "file":
        return "error", refusals.get(entry.kind, "is not a regular file: tenant files must be regular files")
    if lower.endswith(tuple(s.encode() for s in YAML_LOOKALIKES)) and not entry.name.endswith(suffix):
        return "error", f"tenant files end in `{TENANT_SUFFIX}`: rename it (other spellings are not read)"
    if not entry.name.endswith(suffix):
        return "warning", "is not a tenant file (tenants/<name>.yaml): not read"
    if entry.name == suffix:
        return "error", "has no tenant name: rename it to <tenant>.yaml"
    return None


def select_tenant_files(entries: list[Entry], read: Reader, folder_kind: str = "folder",
                        folder: str = TENANTS_DIR) -> TenantFiles:
    """THE rule set: which entries of `tenants/` are tenant files, which are refused, which are ignored.
    `folder` is how the folder is shown in paths (`tenants`, or a path on disk)."""
    result = TenantFiles()
    if folder_kind == "missing":
        return result
    if folder_kind != "folder":
        result.problems.append(Problem(folder, 1, 1, "", f"`{TENANTS_DIR}` is a {folder_kind}, not a folder: "
                                       "tenant files live in the folder tenants/"))
        return result
    wanted: list[tuple[str, Entry]] = []
    for entry in sorted(entries, key=lambda item: item.name):
        path = f"{folder}/{display_name(entry.name)}"
        verdict = entry_verdict(entry)
        if verdict is None:
            wanted.append((path, entry))
        else:
            severity, message = verdict
            result.problems.append(Problem(path, 1, 1, "", message, severity))  # type: ignore[arg-type]
    contents = read([entry for _, entry in wanted])
    for (path, _), content in zip(wanted, contents, strict=True):
        if isinstance(content, str):
            result.problems.append(Problem(path, 1, 1, "", f"cannot read the file: {content}"))
        else:
            result.files.append((path, content))
    result.problems.sort()
    return result


class Reader(Protocol):
    """Reads the content of the given entries: bytes, or a string saying why not."""

    def __call__(self, entries: list[Entry]) -> list[bytes | str]: ...


# --- git -----------------------------------------------------------------------------------------------------

def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, check=True,
                                env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"})
    except FileNotFoundError:
        raise RevisionError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(display_name((message[-1] if message else f"git {args[0]} failed").encode())) from None
    return result.stdout


def resolve_commit(root: Path, rev: str) -> str:
    """The commit id of `rev`, checked before anything else uses it: never an option, never a non-commit."""
    if not rev or rev.startswith("-") or any(unsafe_char(char) or char.isspace() for char in rev):
        raise RevisionError(f"{display_name(rev.encode())!r} is not a revision name")
    try:
        out = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except RevisionError:
        raise RevisionError(f"unknown revision {display_name(rev.encode())!r} (not a commit here)") from None
    commit = out.decode().strip()
    if len(commit) not in (40, 64) or any(char not in "0123456789abcdef" for char in commit):
        raise RevisionError(f"unknown revision {display_name(rev.encode())!r}")
    return commit


def ls_tree(root: Path, tree: str) -> list[tuple[str, str, str, bytes]]:
    """(mode, type, object id, raw name) of each entry of a tree object; NUL-separated, so any name is safe."""
    out = git(root, "ls-tree", "-z", "--full-tree", "--end-of-options", tree) if tree else b""
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, object_id = meta.decode("ascii").split(" ")
        entries.append((mode, kind, object_id, name))
    return entries


def cat_blobs(root: Path, ids: list[str]) -> list[bytes | str]:
    """The content of each blob id, with one `git cat-file --batch`; a missing or non-blob id gives a reason."""
    if not ids:
        return []
    out = git(root, "cat-file", "--batch", stdin="".join(f"{object_id}\n" for object_id in ids).encode())
    contents: list[bytes | str] = []
    offset = 0
    for object_id in ids:
        end = out.index(b"\n", offset)
        header = out[offset:end].decode("ascii", "replace").split(" ")
        if len(header) != 3 or header[0] != object_id:
            contents.append(f"git object {object_id} is {' '.join(header[1:]) or 'unreadable'}")
            offset = end + 1
            continue
        size = int(header[2])
        body = out[end + 1:end + 1 + size]
        contents.append(body if header[1] == "blob" else f"git object {object_id} is a {header[1]}, not a file")
        offset = end + 1 + size + 1
    return contents


def _git_kind(mode: str, kind: str) -> str:
    if kind == "blob" and mode in MODE_FILE:
        return "file"
    if kind == "blob" and mode == MODE_SYMLINK:
        return "symlink"
    if kind == "tree":
        return "folder"
    if kind == "commit" or mode == MODE_SUBMODULE:
        return "submodule"
    return "other"


def _lookup(root: Path, commit: str, path: str) -> tuple[str, str] | None:
    """(kind, object id) of `path` at `commit` walking tree by tree (no pathspec magic), or None if absent."""
    tree = commit + "^{tree}"
    parts = path.split("/")
    for index, part in enumerate(parts):
        found = [(mode, kind, oid) for mode, kind, oid, name in ls_tree(root, tree) if name == part.encode()]
        if not found:
            return None
        mode, kind, oid = found[0]
        if index < len(parts) - 1:
            if kind != "tree":
                return None
            tree = oid
        else:
            return _git_kind(mode, kind), oid
    return None


def git_tenant_files(root: Path, commit: str) -> TenantFiles:
    """The tenant files at a commit (resolved with `resolve_commit`), read from git objects."""
    found = _lookup(root, commit, TENANTS_DIR)
    if found is None:
        return select_tenant_files([], _git_reader(root), "missing")
    kind, tree = found
    if kind != "folder":
        return select_tenant_files([], _git_reader(root), kind)
    entries = [Entry(name, _git_kind(mode, kind), oid) for mode, kind, oid, name in ls_tree(root, tree)]
    return select_tenant_files(entries, _git_reader(root))


def git_file(root: Path, commit: str, path: str) -> bytes | None:
    """A regular file at a commit (e.g. the platform settings); None when absent; RevisionError when it is not a
    regular file or cannot be read (a loud error, never a silent fallback)."""
    found = _lookup(root, commit, path)
    if found is None:
        return None
    kind, oid = found
    if kind != "file":
        raise RevisionError(f"{path} at {commit[:12]} is a {kind}, not a regular file")
    [content] = cat_blobs(root, [oid])
    if isinstance(content, str):
        raise RevisionError(f"{path} at {commit[:12]}: {content}")
    return content


def _git_reader(root: Path) -> Reader:
    class GitReader(Reader):
        def __call__(self, entries: list[Entry]) -> list[bytes | str]:
            return cat_blobs(root, [entry.ref for entry in entries])
    return GitReader()


def changed_paths(root: Path, base: str, head: str | None) -> list[str]:
    """Paths changed between two commits (or the commit and the working tree, untracked files included), as
    display names."""
    args = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", base]
    if head:
        args.append(head)
    names = set(git(root, *args, "--").split(b"\0"))
    if head is None:
        names |= set(git(root, "ls-files", "-z", "--others", "--exclude-standard").split(b"\0"))
    return sorted(display_name(name) for name in names if name)


# --- working tree --------------------------------------------------------------------------------------------

def disk_tenant_files(root: Path, shown: str = TENANTS_DIR) -> TenantFiles:
    """The tenant files of a working tree, under the same rules as a git revision (nothing is followed).
    `shown`: the folder as paths show it (default `tenants`, as in git)."""
    folder = root / TENANTS_DIR
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return select_tenant_files([], _DiskReader(), "missing", shown)
    if stat.S_ISLNK(info.st_mode):
        return select_tenant_files([], _DiskReader(), "symlink", shown)
    if not stat.S_ISDIR(info.st_mode):
        kind = "file" if stat.S_ISREG(info.st_mode) else "special file"
        return select_tenant_files([], _DiskReader(), kind, shown)
    entries = []
    with os.scandir(os.fsencode(folder)) as scan:
        for item in scan:
            mode = item.stat(follow_symlinks=False).st_mode
            kind = ("symlink" if stat.S_ISLNK(mode) else "folder" if stat.S_ISDIR(mode)
                    else "file" if stat.S_ISREG(mode) else "other")
            if kind == "folder" and os.path.exists(os.path.join(item.path, b".git")):
                kind = "submodule"
            entries.append(Entry(item.name, kind, os.fsdecode(item.path)))
    return select_tenant_files(entries, _DiskReader(), folder=shown)


class _DiskReader(Reader):
    def __call__(self, entries: list[Entry]) -> list[bytes | str]:
        contents: list[bytes | str] = []
        for entry in entries:
            try:
                flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                descriptor = os.open(entry.ref, flags)
                try:
                    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                        contents.append("not a regular file")
                        continue
                    with os.fdopen(descriptor, "rb", closefd=False) as stream:
                        contents.append(stream.read())
                finally:
                    os.close(descriptor)
            except OSError as exc:
                contents.append(exc.strerror or "unreadable")
        return contents
