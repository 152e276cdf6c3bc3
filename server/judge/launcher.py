"""Build the C sandbox launcher once into a cache folder and probe what it can do."""

import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .types import JudgeError

SOURCE = Path(__file__).with_name("launcher.c")
BUILD_TIMEOUT = 60.0


@dataclass(frozen=True)
class Probe:
    """Which namespaces the launcher managed to create on this machine."""

    euid: int
    user: bool
    net: bool
    ipc: bool
    mnt: bool
    pid: bool


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
    base = [gcc, "-O2", "-Wall", "-o", str(tmp), str(SOURCE)]
    # Static linking saves the dynamic loader's work on every single run.
    for argv in ([*base, "-static"], base):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
        if done.returncode == 0:
            os.chmod(tmp, 0o700)
            os.replace(tmp, target)  # atomic: parallel start-ups may race here
            return
    tmp.unlink(missing_ok=True)
    raise JudgeError(f"cannot build the judge launcher: {done.stderr.strip()[:2000]}")


def build_launcher(cache_dir: Path | None = None) -> Path:
    """Return the path of a launcher built from the current launcher.c."""
    gcc = shutil.which("gcc")
    if gcc is None:
        raise JudgeError("gcc not found: it is needed to build the judge launcher")
    digest = hashlib.sha256(SOURCE.read_bytes() + gcc.encode()).hexdigest()[:16]
    try:
        folder = private_dir(cache_dir or default_cache_dir())
    except (OSError, JudgeError):
        if cache_dir is not None:
            raise
        folder = Path(tempfile.mkdtemp(prefix="tt-launcher-"))  # no cache, still safe
    target = folder / f"launcher-{digest}"
    if not target.is_file() or target.stat().st_uid != os.geteuid():
        _compile(gcc, target)
    return target


def probe(launcher: Path) -> Probe:
    """Ask the launcher which namespaces it can create here."""
    done = subprocess.run([str(launcher), "-x"], capture_output=True, text=True, timeout=10, check=False)
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
    )
