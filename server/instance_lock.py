"""One server per database: an exclusive flock on `<DB_PATH>.lock`, held for the life of the process.

Two servers on one SQLite file would each keep their own rooms in memory, split the users between
them and overwrite each other's snapshots. SQLite's own locking cannot tell: both may write in turn.
The lock is an advisory flock, so it is released by the kernel when the process ends however it ends
(kill -9 included) and a stale file never blocks a start; the file holds the owner's pid for the message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from .startup import CONFIG_EXIT, ENVIRONMENT_EXIT, StartupError


def lock_path(db_path: Path) -> Path:
    """Where the lock of a database lives: next to it."""
    return db_path.with_name(db_path.name + ".lock")


class InstanceLock:
    """Held from acquire() until release() or the end of the process."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock; raises StartupError naming DB_PATH when the folder is unusable or another server holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StartupError(
                "DB_PATH", f"cannot use {self.db_path}: {exc.strerror or exc} ({exc.filename})", CONFIG_EXIT
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read_owner(fd)
            os.close(fd)
            who = f"pid {owner}" if owner else "another process"
            message = f"database {self.db_path} is in use by another server ({who}, lock {self.path})"
            raise StartupError("DB_PATH", message, ENVIRONMENT_EXIT) from None
        except OSError as exc:
            os.close(fd)
            raise StartupError("DB_PATH", f"cannot lock {self.path}: {exc.strerror or exc}", ENVIRONMENT_EXIT) from None
        with contextlib.suppress(OSError):  # the pid is for the message only
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Let the next server start; the file stays (removing it could race with a starting server)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None


def _read_owner(fd: int) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return os.pread(fd, 32, 0).decode().strip()
    return ""
