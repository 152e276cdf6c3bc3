"""A judge instance's private folder under the work root, locked for the instance's life.

Every submission's folder lives inside the folder of the judge instance that
judges it, so two servers (or a server and a test run) sharing /tmp never
touch each other's work: each cleans only its own folder, and removes another
instance's folder only after taking that instance's lock, which the kernel
frees when the owner dies (even by kill -9).

The lock file is created under a temporary name, locked, and only then
renamed into place, so there is no moment at which another judge could find
it unlocked while its owner is alive.  A folder without a lock file is one
whose owner died while creating it (or a cleaner died while removing it): it
is removed once it is older than an hour, so that a folder being created right
now is never taken.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import stat
import time
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "tt-judge-"
LOCK_NAME = ".lock"
ABANDONED_AFTER = 3600.0  # seconds, for folders that never got their lock


def _try_lock(path: Path) -> int | None:
    """An fd holding an exclusive lock on `path`, or None when it is absent or held."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _old(folder: Path) -> bool:
    try:
        return time.time() - folder.lstat().st_mtime > ABANDONED_AFTER
    except OSError:
        return False


def clear_abandoned(work_root: Path, keep: Path | None = None) -> None:
    """Remove judge folders under work_root whose owner is gone (never `keep`, never a live one)."""
    try:
        entries = [Path(e.path) for e in os.scandir(work_root) if e.name.startswith(PREFIX)]
    except OSError:
        return
    for folder in entries:
        if folder == keep or not folder.is_dir() or folder.is_symlink():
            continue
        lock = folder / LOCK_NAME
        fd = _try_lock(lock)
        if fd is None:
            if not lock.exists() and _old(folder):
                shutil.rmtree(folder, ignore_errors=True)
            continue
        try:
            # We hold the dead owner's lock: nobody else may clear it meanwhile.
            shutil.rmtree(folder, ignore_errors=True)
            log.info("removed the abandoned judge folder %s", folder)
        finally:
            os.close(fd)


class Workspace:
    """This instance's folder (`root`), locked until `close`; submission folders go inside."""

    def __init__(self, work_root: Path, instance: str, mode: int = 0o700) -> None:
        work_root.mkdir(parents=True, exist_ok=True)
        self.root = work_root / f"{PREFIX}{instance}"
        self.root.mkdir(mode=mode)
        os.chmod(self.root, mode)  # mkdir's mode is masked by the umask
        pending = self.root / f"{LOCK_NAME}.new"
        self._lock: int | None = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(pending, self.root / LOCK_NAME)
        clear_abandoned(work_root, keep=self.root)

    def close(self) -> None:
        """Remove the folder and release the lock (idempotent)."""
        if self._lock is None:
            return
        shutil.rmtree(self.root, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.close(self._lock)
        self._lock = None


def lock_tree(folder: Path, uid: int, gid: int) -> None:
    """Give a folder a sandboxed program wrote in to uid:gid, read-only (0o755/0o644), without following links.

    The program may have planted symbolic links (to /etc/shadow, say) and FIFOs: a link is re-owned
    itself and a FIFO left as it is, so root never changes or opens what they point at.  Each folder
    is locked before its entries, so nothing can be swapped in behind the walk.
    """
    os.chown(folder, uid, gid, follow_symlinks=False)
    os.chmod(folder, 0o755, follow_symlinks=False)
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            lock_tree(Path(entry.path), uid, gid)
            continue
        os.chown(entry.path, uid, gid, follow_symlinks=False)
        if entry.is_file(follow_symlinks=False):
            executable = entry.stat(follow_symlinks=False).st_mode & 0o111
            os.chmod(entry.path, 0o755 if executable else 0o644, follow_symlinks=False)


def read_head(path: Path, limit: int) -> str:
    """The start of a regular file as text (at most `limit` bytes, then a truncation mark); "" for anything else.

    Files a sandboxed program could have replaced are read this way: a symbolic link is not
    followed (no root-only file shown to a team) and a FIFO is not read (no hang).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        data = f.read(limit + 1)
    text = data[:limit].decode(errors="replace")
    return text + "\n... (truncated)" if len(data) > limit else text


def empty_file(path: Path) -> None:
    """Create (or empty) a file for a run's output, readable by its owner only: nobody else's business."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
