"""The judge instance's cgroup tree: detect v1 or v2, prepare per-slot parents, clean up.

The launcher makes one leaf per run under the folders this module prepares
(see launcher_cgroup.c); here we decide where those folders live, which
controllers they have, and which CPUs each judging slot may use.

Layout, one tree per judge instance (``<id>`` = pid and a random token):

- cgroup v1: in each hierarchy (memory, cpuacct, pids, cpu, cpuset; mounted
  apart or together), under the server's own cgroup in it:
  ``tt-judge-<id>/slot-<n>/`` — the launcher adds ``t<pid>`` per run.
- cgroup v2: ``tt-judge-<id>/slot-<n>/`` under the hierarchy root when the
  server may write there (a root server on a systemd host), else under its own
  cgroup, which must then be delegated to it (Docker's private cgroup
  namespace, a systemd unit with ``Delegate=yes``); the server's processes are
  moved to a ``tt-server`` leaf first, because a v2 cgroup that hands
  controllers to children may hold no processes itself.

A slot is one judging worker's share of the machine: its own CPU when there
are enough cores (``cpus >= workers + 1``: one core stays for the server),
otherwise all of them, with equal CPU weight between the tests running at
once so that one test's helper processes cannot starve another's.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "tt-judge-"
SERVER_LEAF = "tt-server"
V1_REQUIRED = ("memory", "cpuacct", "pids")
V1_OPTIONAL = ("cpu", "cpuset")
V2_REQUIRED = ("memory", "pids")  # cpu.stat exists in every v2 cgroup
V2_OPTIONAL = ("cpu", "cpuset")
CPU_SHARES = 1024  # v1 default weight of one cgroup (as of one nice-0 process)
CPU_WEIGHT = 100  # v2 default weight
_INSTANCE = re.compile(rf"{re.escape(PREFIX)}(\d+)-[0-9a-f]+")


class CgroupError(Exception):
    """No usable cgroup hierarchy; the message says why."""


@dataclass(frozen=True)
class Mount:
    """One mounted cgroup hierarchy and the server's place in it."""

    path: Path  # mount point
    version: int  # 1 or 2
    controllers: frozenset[str]  # v1: bound to this mount; v2: available at its root
    own: Path  # the server's cgroup folder in it (falls back to the mount point)


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def read_mounts(proc_self: Path = Path("/proc/self")) -> list[Mount]:
    """The cgroup hierarchies visible to this process, from mountinfo and /proc/self/cgroup."""
    paths: dict[str, str] = {}  # "memory" or "" (v2) -> our cgroup path in it
    for line in (proc_self / "cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        for name in names.split(",") if names else [""]:
            paths[name] = path
    mounts = []
    for line in (proc_self / "mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3 or tail[0] not in ("cgroup", "cgroup2"):
            continue
        root, point = _unescape(fields[3]), Path(_unescape(fields[4]))
        if tail[0] == "cgroup2":
            own = paths.get("", "/")
            controllers = frozenset(_read(point / "cgroup.controllers").split())
            version = 2
        else:
            controllers = frozenset(o for o in tail[2].split(",") if o in (*V1_REQUIRED, *V1_OPTIONAL))
            if not controllers:
                continue  # name=systemd and friends
            own = paths.get(sorted(controllers)[0], "/")
            version = 1
        mounts.append(Mount(point, version, controllers, _inside(point, root, own)))
    return mounts


def _inside(point: Path, root: str, own: str) -> Path:
    """Our cgroup's folder: `own` is relative to the namespace root, the mount shows `root`."""
    rel = Path(own)
    if root != "/":
        with contextlib.suppress(ValueError):
            rel = Path("/") / rel.relative_to(root)
    folder = point / str(rel).lstrip("/")
    return folder if folder.is_dir() else point


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def cpu_plan(workers: int, available: Sequence[int]) -> list[tuple[int, ...]]:
    """The CPUs of each slot: one core each when cores >= workers + 1, else all of them for every slot."""
    cpus = sorted(available)
    if workers >= 1 and len(cpus) >= workers + 1:
        # The highest cores: CPU 0 takes most interrupts and stays with the server.
        return [(cpu,) for cpu in cpus[-workers:]]
    return [tuple(cpus)] * max(workers, 1)


def cpu_list(cpus: Iterable[int]) -> str:
    """The kernel's list syntax for a set of CPUs ("0-3,6")."""
    return ",".join(str(c) for c in sorted(cpus))


class CgroupTree:
    """One judge instance's cgroups: parents for the launcher per slot, removed on close."""

    def __init__(
        self, version: int, roots: Sequence[Path], slots: Sequence[tuple[int, ...]], controllers: Sequence[str]
    ):
        self.version = version
        self._roots = tuple(roots)  # tt-judge-<id> in every hierarchy used
        self.slots = tuple(slots)
        self.controllers = tuple(controllers)
        self.pinned = len(set(slots)) == len(slots) and all(len(s) == 1 for s in slots) and len(slots) > 0

    @property
    def description(self) -> str:
        """For the start-up log: version, controllers, pinning."""
        pin = "one CPU per slot" if self.pinned else "CPUs shared, equal weight per test"
        return f"cgroup v{self.version} ({', '.join(self.controllers)}; {len(self.slots)} slots, {pin})"

    def parents(self, slot: int) -> list[str]:
        """The folders the launcher creates a run's leaf under (-c), one per hierarchy."""
        return [str(root / f"slot-{slot}") for root in self._roots]

    def close(self) -> None:
        """Remove the tree (the launcher has removed its leaves; stragglers are killed first)."""
        for root in self._roots:
            remove_tree(root)


def remove_tree(folder: Path) -> bool:
    """Kill what is left in a cgroup subtree and remove it bottom-up; False if some of it stays."""
    try:
        children = [Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return True
    except OSError:
        return False
    clean = all([remove_tree(c) for c in children])
    for line in _read(folder / "cgroup.procs").split():
        with contextlib.suppress(ProcessLookupError, ValueError, PermissionError):
            os.kill(int(line), 9)
    for _ in range(200):
        try:
            folder.rmdir()
            return clean
        except FileNotFoundError:
            return clean
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                return False
            os.sched_yield()
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_stale(base: Path) -> None:
    """Remove other instances' trees under `base` whose server process is gone."""
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for entry in entries:
        m = _INSTANCE.fullmatch(entry.name)
        stale = m is not None and entry.is_dir(follow_symlinks=False) and not _alive(int(m.group(1)))
        if stale and remove_tree(Path(entry.path)):
            log.info("removed a stale judge cgroup %s", entry.path)


def _v1_setup(mounts: Sequence[Mount], instance: str, slots: Sequence[tuple[int, ...]]) -> CgroupTree:
    v1 = [m for m in mounts if m.version == 1]
    have = {c for m in v1 for c in m.controllers}
    missing = [c for c in V1_REQUIRED if c not in have]
    if missing:
        raise CgroupError(f"cgroup v1 lacks the {', '.join(missing)} controller")
    wanted = (*V1_REQUIRED, *(c for c in V1_OPTIONAL if c in have))
    used: list[Mount] = []
    for mount in v1:
        if mount.controllers & set(wanted) and mount not in used:
            used.append(mount)
    roots: list[Path] = []
    try:
        for mount in used:
            clear_stale(mount.own)
            roots.append(_v1_root(mount, instance, slots))
    except OSError as exc:
        for root in roots:
            remove_tree(root)
        raise CgroupError(f"cannot create the judge's cgroups: {exc}") from None
    return CgroupTree(1, roots, slots, wanted)


def _v1_root(mount: Mount, instance: str, slots: Sequence[tuple[int, ...]]) -> Path:
    root = mount.own / f"{PREFIX}{instance}"
    root.mkdir()
    try:
        _v1_fill(root, mount, slots)
    except OSError:
        remove_tree(root)  # not yet among the caller's roots: nobody else would remove it
        raise
    return root


def _v1_fill(root: Path, mount: Mount, slots: Sequence[tuple[int, ...]]) -> None:
    cpuset = "cpuset" in mount.controllers
    if cpuset:  # a new v1 cpuset is empty; it must be given CPUs and memory nodes before use
        _write(root / "cpuset.cpus", _read(mount.own / "cpuset.cpus").strip())
        _write(root / "cpuset.mems", _read(mount.own / "cpuset.mems").strip())
    if "cpu" in mount.controllers:
        # The judge as a whole weighs as much as one process per slot against the rest of the machine.
        _write(root / "cpu.shares", str(CPU_SHARES * len(slots)))
    for n, cpus in enumerate(slots):
        slot = root / f"slot-{n}"
        slot.mkdir()
        if cpuset:
            _write(slot / "cpuset.cpus", cpu_list(cpus))
            _write(slot / "cpuset.mems", _read(root / "cpuset.mems").strip())
            _write(slot / "cgroup.clone_children", "1")  # each run's leaf inherits the slot's CPUs


def _enable(folder: Path, controllers: Iterable[str]) -> list[str]:
    """Hand controllers to folder's children; returns those enabled."""
    done = []
    present = set(_read(folder / "cgroup.subtree_control").split())
    for name in controllers:
        if name in present:
            done.append(name)
            continue
        try:
            _write(folder / "cgroup.subtree_control", f"+{name}")
            done.append(name)
        except OSError as exc:
            log.debug("cgroup v2 controller %s not enabled in %s: %s", name, folder, exc)
    return done


def _is_hierarchy_root(folder: Path) -> bool:
    # Only the real root lacks cgroup.type; a container's namespace root has one.
    return not (folder / "cgroup.type").exists()


def _evacuate(folder: Path) -> None:
    """Move every process of a delegated cgroup into its tt-server leaf (v2's no-internal-processes rule)."""
    leaf = folder / SERVER_LEAF
    leaf.mkdir(exist_ok=True)
    for pid in _read(folder / "cgroup.procs").split():
        with contextlib.suppress(ProcessLookupError, OSError):
            _write(leaf / "cgroup.procs", pid)
    log.info("moved the processes of %s into %s so that it can delegate controllers", folder, leaf)


def _v2_base(mount: Mount) -> Path:
    """Where the instance tree goes: the hierarchy root when we may write there, else our delegated cgroup."""
    if mount.own != mount.path and _is_hierarchy_root(mount.path) and os.access(mount.path, os.W_OK):
        return mount.path
    return mount.own


def _v2_setup(mount: Mount, instance: str, slots: Sequence[tuple[int, ...]]) -> CgroupTree:
    missing = [c for c in V2_REQUIRED if c not in mount.controllers]
    if missing:
        raise CgroupError(f"cgroup v2 at {mount.path} lacks the {', '.join(missing)} controller")
    wanted = [*V2_REQUIRED, *(c for c in V2_OPTIONAL if c in mount.controllers)]
    base = _v2_base(mount)
    try:
        clear_stale(base)
        if not _is_hierarchy_root(base) and _read(base / "cgroup.procs").split():
            _evacuate(base)
        enabled = _enable(base, wanted)
        missing = [c for c in V2_REQUIRED if c not in enabled]
        if missing:
            raise CgroupError(f"cgroup v2 at {base}: cannot enable {', '.join(missing)} (not delegated?)")
        root = base / f"{PREFIX}{instance}"
        root.mkdir()
        try:
            _enable(root, enabled)
            if "cpu" in enabled:
                _write(root / "cpu.weight", str(min(10000, CPU_WEIGHT * len(slots))))
            for n, cpus in enumerate(slots):
                slot = root / f"slot-{n}"
                slot.mkdir()
                if "cpuset" in enabled:
                    _write(slot / "cpuset.cpus", cpu_list(cpus))
                _enable(slot, enabled)
        except OSError:
            remove_tree(root)
            raise
    except OSError as exc:
        raise CgroupError(f"cannot create the judge's cgroups under {base}: {exc}") from None
    return CgroupTree(2, [root], slots, enabled)


def setup(
    instance: str, workers: int, mounts: Sequence[Mount] | None = None, available: Sequence[int] | None = None
) -> CgroupTree:
    """Detect the cgroup version and create this instance's tree; raises CgroupError when none is usable."""
    mounts = read_mounts() if mounts is None else mounts
    slots = cpu_plan(workers, sorted(os.sched_getaffinity(0)) if available is None else available)
    if any(m.version == 1 and "memory" in m.controllers for m in mounts):
        return _v1_setup(mounts, instance, slots)
    unified = [m for m in mounts if m.version == 2]
    if unified:
        return _v2_setup(unified[0], instance, slots)
    raise CgroupError("no cgroup hierarchy with a memory controller is mounted")
