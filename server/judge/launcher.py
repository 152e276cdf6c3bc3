"""Build the C sandbox launcher, verify it, and hold it in a sealed memory file for the server's life.

The launcher runs as root for every test, so nobody but root may ever be able
to change the binary that is run: as root it is cached in a root-only folder
next to the SHA-256 recorded when it was built, and checked against it before
use; without root (JUDGE_ISOLATION=weak) it is never cached, because a
submission running as the server's own user could replace a cached file.
Either way, the verified bytes are copied into a sealed memfd that is
executed through /proc/self/fd: after the check, not even the server's user
can change what runs.
"""

import fcntl
import hashlib
import logging
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .types import JudgeError

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
SOURCES = tuple(HERE / name for name in ("launcher.c", "launcher_fs.c", "launcher_cgroup.c", "launcher_seccomp.c"))
HEADERS = (HERE / "launcher.h",)
BUILD_TIMEOUT = 60.0
SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SEAL


@dataclass(frozen=True)
class Probe:
    """Which namespaces (and whether the seccomp filter) the launcher managed to set up here."""

    euid: int
    user: bool
    net: bool
    ipc: bool
    mnt: bool
    pid: bool
    seccomp: bool = False


@dataclass(frozen=True)
class Launcher:
    """The verified launcher in a sealed, read-only memory file (pass `fd` to the child, run `path`)."""

    fd: int

    @property
    def path(self) -> str:
        """What to execute; valid in a child that inherited `fd`."""
        return f"/proc/self/fd/{self.fd}"


def default_cache_dir() -> Path:
    """Where the built launcher is kept between runs (XDG cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "team-trainer"


def private_dir(path: Path) -> Path:
    """Create (if needed) and vet a folder only we can write to."""
    # The launcher runs as root: its folder must not be writable by anyone
    # else, or another user could swap the binary.
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise JudgeError(f"unsafe launcher cache folder {path}")
    return path


def _compile(gcc: str, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    base = [gcc, "-O2", "-Wall", "-o", str(tmp), *map(str, SOURCES)]
    # Static linking saves the dynamic loader's work on every single run.
    for argv in ([*base, "-static"], base):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
        if done.returncode == 0:
            os.chmod(tmp, 0o700)
            digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
            _sidecar(target).write_text(digest + "\n")
            os.replace(tmp, target)  # atomic: parallel start-ups may race here
            return
    tmp.unlink(missing_ok=True)
    raise JudgeError(f"cannot build the judge launcher: {done.stderr.strip()[:2000]}")


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def source_digest(gcc: str) -> str:
    """Names the binary built from the current sources with this gcc."""
    h = hashlib.sha256(gcc.encode())
    for path in (*SOURCES, *HEADERS):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _verified(target: Path) -> bytes | None:
    """The cached binary's bytes if they match the hash recorded when it was built."""
    try:
        st = target.lstat()
        recorded = _sidecar(target).read_text().strip()
        data = target.read_bytes()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        return None
    if hashlib.sha256(data).hexdigest() != recorded:
        log.warning("the cached judge launcher %s does not match its recorded hash: rebuilding it", target)
        return None
    return data


def _seal(data: bytes) -> Launcher:
    fd = os.memfd_create("tt-launcher", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        os.write(fd, data)
        os.fchmod(fd, 0o500)
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, SEALS)
        # A read-only descriptor: exec refuses a file someone holds open for writing.
        ro = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        os.close(fd)
    return Launcher(ro)


def build_launcher(cache_dir: Path | None = None) -> Launcher:
    """The launcher for the current sources: verified from the root-only cache, or built now."""
    gcc = shutil.which("gcc")
    if gcc is None:
        raise JudgeError("gcc not found: it is needed to build the judge launcher")
    name = f"launcher-{source_digest(gcc)}"
    if os.geteuid() != 0:
        with tempfile.TemporaryDirectory(prefix="tt-launcher-") as tmp:
            target = Path(tmp) / name
            _compile(gcc, target)
            return _seal(target.read_bytes())
    try:
        folder = private_dir(cache_dir or default_cache_dir())
    except (OSError, JudgeError):
        if cache_dir is not None:
            raise
        folder = Path(tempfile.mkdtemp(prefix="tt-launcher-"))  # no cache, still safe
    target = folder / name
    data = _verified(target)
    if data is None:
        _compile(gcc, target)
        data = _verified(target)
        if data is None:
            raise JudgeError(f"the judge launcher built at {target} changed before it could be loaded")
    return _seal(data)


def probe(launcher: Launcher) -> Probe:
    """Ask the launcher which namespaces it can create here and whether its filter loads."""
    done = subprocess.run(
        [launcher.path, "-x"], capture_output=True, text=True, timeout=10, check=False, pass_fds=(launcher.fd,)
    )
    words = done.stdout.split()
    if done.returncode != 0 or not words or words[0] != "PROBE":
        raise JudgeError(f"launcher probe failed: {done.stderr.strip()}")
    found = dict(w.split("=", 1) for w in words[1:])
    return Probe(
        euid=int(found["euid"]),
        user=found["user"] == "1",
        net=found["net"] == "1",
        ipc=found["ipc"] == "1",
        mnt=found["mnt"] == "1",
        pid=found["pid"] == "1",
        seccomp=found.get("seccomp") == "1",
    )
