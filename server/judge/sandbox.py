"""Run one program under the launcher: isolation layers chosen at start, limits per run.

The layers (see the README's isolation table): a cgroup per run (whole-tree
CPU, memory, process limits and accounting), namespaces (network, IPC, mount,
PID, UTS), the allow-list root, the switch to an unprivileged uid, and the
seccomp filter.  Each is detected once and checked end to end by running
/usr/bin/true through it; what could not be set up is named in `missing`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import grp
import logging
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import cgroups
from .launcher import Launcher, Probe, build_launcher, private_dir, probe
from .rootfs import RootSpec, allow_list, covered
from .types import JudgeError

log = logging.getLogger(__name__)

# Sandbox users are uid FIRST_UID + slot (isolate's convention): one uid per
# submission being judged at once, because RLIMIT_NPROC counts processes per
# real uid and one fork bomb must not starve a neighbour's fork().  Slots are
# leased with flock() on files in a root-only folder, so that every judge on
# the machine (other servers, a test run) agrees on who owns which uid.
FIRST_UID = 60000
MAX_SLOTS = 256
ALWAYS_HIDDEN = (Path("/run"),)
UID_LOCK_DIRS = (Path("/run/team-trainer"), Path(tempfile.gettempdir()) / "team-trainer-uids")
# How long past its own wall limit we trust the launcher before killing it.
LAUNCHER_GRACE = 10.0
PROGRAM_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
}
LAYERS = ("cgroups", "namespaces", "allow-list root", "uid switch", "seccomp")


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run."""

    cpu_time: float  # seconds, user + sys of the whole process tree
    wall_time: float  # seconds
    memory: int  # bytes: the cgroup's cap on the whole tree, swap off
    address_space: int  # bytes, per process; only used when there are no cgroups (-1: none, for a JVM)
    stack: int  # bytes
    file_size: int  # bytes, per file written
    processes: int  # tasks (threads count) in the run's cgroup and per sandbox uid
    scratch: int  # bytes, size of each private tmpfs (/tmp, /dev/shm)


@dataclass(frozen=True)
class RunResult:
    """What the launcher measured (from the run's cgroup when `accounted`)."""

    exit_code: int | None
    signal: int | None
    cpu_ms: int
    wall_ms: int
    peak_rss: int  # bytes: the cgroup's memory peak, else the main process's peak RSS
    timed_out: bool  # killed at the wall-clock limit
    oom_kills: int = 0  # processes the kernel killed at the memory limit
    wait_ms: int = 0  # runnable but not running, at the wall limit (a starved program is not idle)
    accounted: bool = False  # time and memory are the whole tree's
    ended_us: int = 0  # CLOCK_MONOTONIC when the program ended (comparable between runs)

    @property
    def success(self) -> bool:
        """Exited normally with status 0."""
        return self.exit_code == 0


@dataclass(frozen=True)
class Layers:
    """Which isolation layers are active."""

    cgroups: str | None  # e.g. "cgroup v1 (memory, cpuacct, pids, cpu, cpuset; 2 slots, ...)"
    namespaces: bool  # network, IPC, mount, PID (and UTS)
    allowlist_root: bool
    uid_switch: bool
    seccomp: bool

    @property
    def missing(self) -> list[str]:
        """The layers that are not active, by name (LAYERS)."""
        active = (self.cgroups is not None, self.namespaces, self.allowlist_root, self.uid_switch, self.seccomp)
        return [name for name, on in zip(LAYERS, active, strict=True) if not on]


@dataclass(frozen=True)
class Bind:
    """A host file or folder shown to one run at a path of the sandbox's choosing."""

    host: Path
    inside: str  # absolute path in the sandbox (read-only there)


@dataclass(frozen=True)
class Lease:
    """What one submission holds while it is judged: its sandbox uid and its CPU slot."""

    uid: int | None
    slot: int


def _sandbox_gid() -> int:
    for name in ("nogroup", "nobody"):
        with contextlib.suppress(KeyError):
            return grp.getgrnam(name).gr_gid
    return 65534


def _uid_lock_dir() -> Path:
    for folder in UID_LOCK_DIRS:
        with contextlib.suppress(OSError, JudgeError):
            return private_dir(folder)
    raise JudgeError(f"no usable folder for sandbox uid leases among {UID_LOCK_DIRS}")


def _free_of_accounts(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return True
    return False


@dataclass(frozen=True)
class _Choice:
    flags: tuple[str, ...]  # namespaces and seccomp
    root: bool  # allow-list root
    cgroups: bool


class Sandbox:
    """Isolation detected once; `run` starts one sandboxed process."""

    def __init__(
        self,
        hidden: Sequence[Path] = (),
        cache_dir: Path | None = None,
        *,
        instance: str = "",
        workers: int = 2,
        scratch: Path | None = None,
        tools: Sequence[str] = (),
    ) -> None:
        self.launcher: Launcher = build_launcher(cache_dir)
        self.cgroups: cgroups.CgroupTree | None = None
        try:
            self._set_up(hidden, scratch, instance, workers, tools)
        except BaseException:
            self.close()  # the instance's cgroups and the launcher's fd, whatever step failed
            raise

    def _set_up(
        self, hidden: Sequence[Path], scratch: Path | None, instance: str, workers: int, tools: Sequence[str]
    ) -> None:
        self.probe: Probe = probe(self.launcher)
        self.root = self.probe.euid == 0
        self.gid = _sandbox_gid()
        # /run always: it holds sockets (databases, D-Bus) a program could
        # reach without any network, and world-writable lock folders.
        self._hidden = sorted({str(p.resolve()) for p in (*hidden, *ALWAYS_HIDDEN)})
        self._locks = _uid_lock_dir() if self.root else None
        self._scratch = Path(scratch) if scratch is not None else Path(tempfile.mkdtemp(prefix="tt-sandbox-"))
        self._newroot = self._scratch / "newroot"
        self._newroot.mkdir(mode=0o700, exist_ok=True)
        self._rootspec: RootSpec = allow_list(tools)
        self.cgroup_error = ""
        try:
            self.cgroups = cgroups.setup(instance or f"{os.getpid()}-0", workers)
        except cgroups.CgroupError as exc:
            self.cgroup_error = str(exc)
        self._slot_users = [0] * (len(self.cgroups.slots) if self.cgroups else 1)
        self.failures: list[str] = []
        self._choice = self._choose()
        if self.cgroups and not self._choice.cgroups:
            self.cgroups.close()
            self.cgroups = None
            self.cgroup_error = "the self-test run failed with them"
        self.layers = Layers(
            cgroups=self.cgroups.description if self.cgroups else None,
            namespaces=all(f in self._choice.flags for f in ("-n", "-I", "-N", "-P")),
            allowlist_root=self._choice.root,
            uid_switch=self.root,
            seccomp="-S" in self._choice.flags,
        )
        self.isolation = self._describe()
        self._static = self._static_args()

    # -- set-up -------------------------------------------------------------

    def _candidates(self) -> list[_Choice]:
        p = self.probe
        ns = [f for f, ok in (("-n", p.net), ("-I", p.ipc), ("-N", p.mnt), ("-P", p.pid)) if ok]
        if not self.root:
            # Unprivileged, every namespace hangs off a new user namespace.
            ns = ["-U", *ns] if p.user else []
        sec = ["-S"] if p.seccomp else []
        cg = self.cgroups is not None
        mnt = "-N" in ns
        # Everything first; then shed one layer after another, the likeliest
        # to be refused by a container first.
        out = [
            _Choice((*ns, *sec), mnt, cg),
            _Choice((*ns, *sec), False, cg),
            _Choice((*ns, *sec), mnt, False),
            _Choice((*ns, *sec), False, False),
            _Choice(tuple(f for f in (*ns, *sec) if f != "-P"), False, False),
            _Choice(tuple(f for f in (*ns, *sec) if f not in ("-P", "-N")), False, False),
            _Choice(tuple(sec), False, False),
            _Choice((), False, False),
        ]
        return [c for i, c in enumerate(out) if c not in out[:i]]

    def _choose(self) -> _Choice:
        true = shutil.which("true", path="/usr/bin:/bin") or "/bin/true"
        with tempfile.TemporaryDirectory(prefix="tt-probe-") as tmp, self.user() as uid:
            os.chmod(tmp, 0o755)
            for choice in self._candidates():
                argv = [self.launcher.path, *choice.flags, *self._uid_args(uid), "-d", tmp, "-w", "5000"]
                argv += self._optional_args(choice, slot=0, memory=64 << 20, processes=8)
                argv += ["--", true]
                done = subprocess.run(
                    argv, capture_output=True, text=True, timeout=10, check=False, pass_fds=(self.launcher.fd,)
                )
                if done.returncode == 0 and "RESULT 0 " in done.stderr:
                    return choice
                failure = f"{choice}: {done.stderr.strip()[:300]}"
                log.warning("sandbox self-test failed, trying with fewer layers: %s", failure)
                self.failures.append(failure)
        raise JudgeError(f"the judge launcher cannot run programs here: {self.failures[-1]}")

    def _uid_args(self, uid: int | None) -> list[str]:
        return ["-u", str(uid), "-g", str(self.gid)] if self.root and uid is not None else []

    def _optional_args(self, choice: _Choice, slot: int, memory: int, processes: int) -> list[str]:
        args: list[str] = []
        if choice.cgroups and self.cgroups:
            args += ["-V", str(self.cgroups.version)]
            for parent in self.cgroups.parents(slot):
                args += ["-c", parent]
            args += ["-M", str(memory), "-k", str(processes)]
        if choice.root:
            args += ["-R", str(self._newroot), *self._rootspec.args()]
        return args

    def _static_args(self) -> list[str]:
        args = [self.launcher.path, *self._choice.flags]
        hidden = self._hidden
        if self._choice.root:
            args += ["-R", str(self._newroot), *self._rootspec.args()]
            # Only what a bound folder would show needs covering (and /tmp,
            # /proc, /dev in there are the sandbox's own).
            hidden = [p for p in hidden if covered(p, self._rootspec.binds)]
        for path in hidden:
            args += ["-h", path]
        return args

    def _describe(self) -> str:
        f = set(self._choice.flags)
        parts: list[str] = []
        if self.root:
            parts.append(f"as uid {FIRST_UID}+slot/gid {self.gid}, no_new_privs")
        elif "-U" in f:
            parts.append("in a user namespace with no capabilities (server not root: same real uid)")
        else:
            parts.append("AS THE SERVER'S OWN USER (not root, no user namespaces)")
        parts.append(self.layers.cgroups or f"NO CGROUPS ({self.cgroup_error or 'refused'}): per-process limits only")
        parts.append("seccomp filter" if "-S" in f else "NO SECCOMP FILTER")
        parts.append("no network" if "-n" in f else "NETWORK NOT ISOLATED")
        if "-I" in f:
            parts.append("private IPC")
        if self._choice.root:
            parts.append(f"allow-list root ({len(self._rootspec.binds)} read-only binds), private /tmp")
        elif "-N" in f:
            parts.append(f"private mounts ({len(self._hidden)} paths hidden, private /tmp), NO ALLOW-LIST ROOT")
        else:
            parts.append("PROTECTED PATHS NOT HIDDEN")
        parts.append("own PID namespace" if "-P" in f else "process group kill only")
        parts.append("rlimits cpu/stack/fsize/nproc/core, wall-clock watchdog")
        return "; ".join(parts)

    def close(self) -> None:
        """Remove this sandbox's cgroups and release the launcher (idempotent)."""
        if self.cgroups is not None:
            self.cgroups.close()
            self.cgroups = None
        with contextlib.suppress(OSError):
            os.close(self.launcher.fd)

    # -- per submission -----------------------------------------------------

    @contextlib.contextmanager
    def user(self) -> Iterator[int | None]:
        """Lease a sandbox uid for one submission (None when not root)."""
        if self._locks is None:
            yield None
            return
        for uid in range(FIRST_UID, FIRST_UID + MAX_SLOTS):
            if not _free_of_accounts(uid):
                continue
            fd = os.open(self._locks / f"uid-{uid}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield uid
            finally:
                os.close(fd)  # releases the lease
            return
        raise JudgeError("no free sandbox uid")

    @contextlib.contextmanager
    def lease(self) -> Iterator[Lease]:
        """A sandbox uid and the least busy CPU slot, for one submission."""
        slot = min(range(len(self._slot_users)), key=self._slot_users.__getitem__)
        self._slot_users[slot] += 1
        try:
            with self.user() as uid:
                yield Lease(uid, slot)
        finally:
            self._slot_users[slot] -= 1

    @property
    def slots(self) -> int:
        """CPU slots (one per judging worker)."""
        return len(self._slot_users)

    @property
    def private_mounts(self) -> bool:
        """Whether programs get their own mount namespace (their box at /tmp/box)."""
        return "-N" in self._choice.flags

    @property
    def copies_input(self) -> bool:
        """Whether inputs should be copied first (the program could reopen them otherwise)."""
        # Without a uid switch the program owns whatever the server owns and
        # could reopen its stdin through /proc/self/fd/0 for writing.
        return not self.root

    @property
    def binds_files(self) -> bool:
        """Whether `run` can show host files at chosen paths (the allow-list root is active)."""
        return self._choice.root

    def box_path(self, workdir: Path) -> str:
        """Where a run sees its working folder."""
        return "/tmp/box" if self.private_mounts else str(workdir)

    def inside(self, host: Path, path: str) -> str:
        """Where a run sees `host` when it is bound at `path`: `path` with the allow-list root, else the host path."""
        return path if self._choice.root else str(host)

    def command(
        self,
        argv: Sequence[str],
        *,
        workdir: Path,
        limits: Limits,
        lease: Lease,
        stderr: Path | None,
        binds: Sequence[Bind] = (),
    ) -> list[str]:
        """The launcher command line for one run."""
        cmd = [*self._static, *self._uid_args(lease.uid), "-d", str(workdir)]
        if self._choice.root:
            for bind in binds:
                cmd += ["-b", f"{bind.host.absolute()}={bind.inside}"]
        cmd += ["-t", str(round(limits.cpu_time * 1000)), "-w", str(round(limits.wall_time * 1000))]
        cmd += ["-s", str(limits.stack), "-f", str(limits.file_size), "-p", str(limits.processes)]
        cmd += ["-T", str(limits.scratch)]
        if self.cgroups is not None:
            cmd += ["-V", str(self.cgroups.version)]
            for parent in self.cgroups.parents(lease.slot):
                cmd += ["-c", parent]
            cmd += ["-M", str(limits.memory), "-k", str(limits.processes)]
        else:
            cmd += ["-m", str(limits.address_space)]  # the only memory cap left
        if stderr is not None:
            cmd += ["-e", str(stderr)]
        return [*cmd, "--", *argv]

    async def run(
        self,
        argv: Sequence[str],
        *,
        workdir: Path,
        limits: Limits,
        lease: Lease,
        stdin: Path | None,
        stdout: Path,
        stderr: Path | None = None,
        binds: Sequence[Bind] = (),
    ) -> RunResult:
        """Run argv inside workdir under the limits; stdout/stderr are appended to."""
        fin, fout = open_stdio(stdin, stdout)
        with fin, fout:
            started = await self.start(
                argv, workdir=workdir, limits=limits, lease=lease, stdin=fin, stdout=fout, stderr=stderr, binds=binds
            )
        return await self.finish(started)

    async def start(
        self,
        argv: Sequence[str],
        *,
        workdir: Path,
        limits: Limits,
        lease: Lease,
        stdin: BinaryIO | int,
        stdout: BinaryIO | int,
        stderr: Path | None = None,
        binds: Sequence[Bind] = (),
    ) -> Started:
        """Start one run and return at once (the launcher has its own copies of stdin and stdout by then)."""
        cmd = self.command(argv, workdir=workdir, limits=limits, lease=lease, stderr=stderr, binds=binds)
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=stdin,
            stdout=stdout,
            stderr=asyncio.subprocess.PIPE,
            env=PROGRAM_ENV,
            pass_fds=(self.launcher.fd,),
        )
        return Started(proc, limits)

    async def finish(self, started: Started) -> RunResult:
        """Wait for a started run and return what it measured (cancelling it kills its whole tree)."""
        proc, limits = started.proc, started.limits
        try:
            async with asyncio.timeout(limits.wall_time + LAUNCHER_GRACE):
                _, err = await proc.communicate()
        except TimeoutError:
            # Its watchdog failed; its init child dies with it (PDEATHSIG).
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise JudgeError("the sandbox launcher did not finish") from None
        except asyncio.CancelledError:
            await self.stop(started)
            raise
        return parse_result(err.decode(errors="replace"), proc.returncode)

    @staticmethod
    async def stop(started: Started) -> None:
        """End a started run early: the launcher kills the whole tree, removes its cgroup leaf and exits.

        SIGTERM, not SIGKILL: a killed launcher leaves its leaf behind, and without a PID namespace the
        program would outlive it.  Reaped here so its pipe and transport do not outlive the loop.
        """
        with contextlib.suppress(ProcessLookupError):
            started.proc.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(started.proc.wait(), LAUNCHER_GRACE)


@dataclass(frozen=True)
class Started:
    """A run in progress (see Sandbox.start)."""

    proc: asyncio.subprocess.Process
    limits: Limits


def open_stdio(stdin: Path | None, stdout: Path) -> tuple[BinaryIO, BinaryIO]:
    """Open a run's stdin (or /dev/null) for reading and stdout for appending."""
    # Opening two local files takes microseconds; a thread hop per test would
    # cost more than it could ever save the event loop.
    fin = open(stdin or os.devnull, "rb")  # noqa: SIM115 - closed by the caller
    try:
        return fin, open(stdout, "ab")
    except BaseException:
        fin.close()
        raise


def parse_result(report: str, returncode: int | None) -> RunResult:
    """The launcher's RESULT line as a RunResult; JudgeError when it failed."""
    lines = report.strip().splitlines()
    if returncode != 0 or not lines or not lines[-1].startswith("RESULT "):
        raise JudgeError(f"sandbox failure (launcher exit {returncode}): {report.strip()[:500]}")
    exit_code, sig, cpu_us, wall_us, memory, timed_out, ooms, wait_us, accounted, ended_us = (
        int(x) for x in lines[-1].split()[1:]
    )
    return RunResult(
        exit_code=exit_code if exit_code >= 0 else None,
        signal=sig if sig >= 0 else None,
        cpu_ms=round(cpu_us / 1000),
        wall_ms=round(wall_us / 1000),
        peak_rss=memory,
        timed_out=bool(timed_out),
        oom_kills=ooms,
        wait_ms=round(wait_us / 1000),
        accounted=bool(accounted),
        ended_us=ended_us,
    )
