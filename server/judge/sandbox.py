"""Run one program under the launcher: isolation chosen at start, limits per run."""

import asyncio
import contextlib
import fcntl
import grp
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .launcher import Probe, build_launcher, private_dir, probe
from .types import JudgeError

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


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run."""

    cpu_time: float  # seconds, user + sys
    wall_time: float  # seconds
    address_space: int  # bytes
    stack: int  # bytes
    file_size: int  # bytes, per file written
    processes: int  # per sandbox user (threads count)
    scratch: int  # bytes, size of each private tmpfs (/tmp, /var/tmp, /dev/shm)


@dataclass(frozen=True)
class RunResult:
    """What the launcher measured."""

    exit_code: int | None
    signal: int | None
    cpu_ms: int
    wall_ms: int
    peak_rss: int  # bytes
    timed_out: bool  # killed at the wall-clock limit

    @property
    def success(self) -> bool:
        """Exited normally with status 0."""
        return self.exit_code == 0


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


class Sandbox:
    """Isolation detected once; `run` starts one sandboxed process."""

    def __init__(self, hidden: Sequence[Path] = (), cache_dir: Path | None = None) -> None:
        self.launcher = build_launcher(cache_dir)
        self.probe: Probe = probe(self.launcher)
        self.root = self.probe.euid == 0
        self.gid = _sandbox_gid()
        # /run always: it holds sockets (databases, D-Bus) a program could
        # reach without any network, and world-writable lock folders.
        self._hidden = sorted({str(p.resolve()) for p in (*hidden, *ALWAYS_HIDDEN)})
        self._locks = _uid_lock_dir() if self.root else None
        self._flags = self._choose_flags()
        self.isolation = self._describe()

    # -- set-up -------------------------------------------------------------

    def _candidates(self) -> list[list[str]]:
        p = self.probe
        ns = [f for f, ok in (("-n", p.net), ("-I", p.ipc), ("-N", p.mnt), ("-P", p.pid)) if ok]
        if not self.root:
            # Unprivileged, every namespace hangs off a new user namespace.
            ns = ["-U", *ns] if p.user else []
        # Full set first, then shed the PID and mount namespaces if the
        # end-to-end check fails (e.g. a container that forbids mounting proc).
        out = [ns, [f for f in ns if f != "-P"], [f for f in ns if f not in ("-P", "-N")], []]
        return [c for i, c in enumerate(out) if c not in out[:i]]

    def _choose_flags(self) -> list[str]:
        last = ""
        with tempfile.TemporaryDirectory(prefix="tt-probe-") as tmp, self.user() as uid:
            os.chmod(tmp, 0o755)
            for flags in self._candidates():
                users = self._uid_args(uid) if uid is not None else []
                argv = [str(self.launcher), *users, *flags, "-d", tmp, "-w", "5000"]
                argv += ["--", shutil.which("true") or "/bin/true"]
                done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
                if done.returncode == 0 and "RESULT 0 " in done.stderr:
                    return flags
                last = done.stderr.strip()
        raise JudgeError(f"the judge launcher cannot run programs here: {last}")

    def _uid_args(self, uid: int) -> list[str]:
        return ["-u", str(uid), "-g", str(self.gid)] if self.root else []

    def _describe(self) -> str:
        f = set(self._flags)
        parts: list[str] = []
        if self.root:
            parts.append(f"as uid {FIRST_UID}+slot/gid {self.gid}, no_new_privs")
        elif "-U" in f:
            parts.append("in a user namespace with no capabilities (server not root: same real uid)")
        else:
            parts.append("AS THE SERVER'S OWN USER (not root, no user namespaces)")
        parts.append("no network" if "-n" in f else "NETWORK NOT ISOLATED")
        if "-I" in f:
            parts.append("private IPC")
        if "-N" in f:
            parts.append(f"private mounts ({len(self._hidden)} paths hidden, private /tmp)")
        else:
            parts.append("PROTECTED PATHS NOT HIDDEN")
        parts.append("own PID namespace" if "-P" in f else "process group kill only")
        parts.append("rlimits cpu/as/stack/fsize/nproc/core, wall-clock watchdog")
        return "; ".join(parts)

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

    @property
    def private_mounts(self) -> bool:
        """Whether programs get their own mount namespace (hidden paths, /tmp/box)."""
        return "-N" in self._flags

    @property
    def copies_input(self) -> bool:
        """Whether inputs should be copied first (the program could reopen them otherwise)."""
        # Without a uid switch the program owns whatever the server owns and
        # could reopen its stdin through /proc/self/fd/0 for writing.
        return not self.root

    async def run(
        self,
        argv: Sequence[str],
        *,
        workdir: Path,
        limits: Limits,
        uid: int | None,
        stdin: Path | None,
        stdout: Path,
        stderr: Path | None = None,
    ) -> RunResult:
        """Run argv inside workdir under the limits; stdout/stderr are appended to."""
        cmd = [str(self.launcher), *self._flags, *(self._uid_args(uid) if uid is not None else [])]
        cmd += ["-d", str(workdir), "-t", str(round(limits.cpu_time * 1000)), "-w", str(round(limits.wall_time * 1000))]
        cmd += ["-m", str(limits.address_space), "-s", str(limits.stack), "-f", str(limits.file_size)]
        cmd += ["-p", str(limits.processes), "-T", str(limits.scratch)]
        for path in self._hidden:
            cmd += ["-h", path]
        if stderr is not None:
            cmd += ["-e", str(stderr)]
        cmd += ["--", *argv]
        fin, fout = open_stdio(stdin, stdout)
        with fin, fout:
            proc = await asyncio.create_subprocess_exec(
                *cmd, stdin=fin, stdout=fout, stderr=asyncio.subprocess.PIPE, env=PROGRAM_ENV
            )
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
            # SIGTERM makes the launcher kill the whole tree and exit at once;
            # reap it here so its pipe and transport do not outlive the loop.
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), LAUNCHER_GRACE)
            raise
        return _parse(err.decode(errors="replace"), proc.returncode)


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


def _parse(report: str, returncode: int | None) -> RunResult:
    lines = report.strip().splitlines()
    if returncode != 0 or not lines or not lines[-1].startswith("RESULT "):
        raise JudgeError(f"sandbox failure (launcher exit {returncode}): {report.strip()[:500]}")
    exit_code, sig, cpu_us, wall_us, rss_kb, timed_out = (int(x) for x in lines[-1].split()[1:])
    return RunResult(
        exit_code=exit_code if exit_code >= 0 else None,
        signal=sig if sig >= 0 else None,
        cpu_ms=round(cpu_us / 1000),
        wall_ms=round(wall_us / 1000),
        peak_rss=rss_kb * 1024,
        timed_out=bool(timed_out),
    )
