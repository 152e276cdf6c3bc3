"""`python -m server backup PATH`: a consistent copy of the database while the server runs.

SQLite's online backup API (sqlite3.Connection.backup) copies pages from a read transaction, so the
copy is one consistent state of the database even while the server writes: no need to stop it, and
copying the file with cp would not be safe (the WAL holds the newest pages). The copy is written to a
temporary file next to PATH, checked, made 0600 and renamed into place, so PATH is never half-written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path

from .config import Config

log = logging.getLogger(__name__)

PAGES_PER_STEP = 1024  # pages copied per step: the server's writers wait at most one step
STEP_PAUSE = 0.005  # seconds between steps


def backup(source: Path, target: Path) -> int:
    """Copy the database at source to target (replaced atomically); returns the number of pages."""
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    target = target.resolve()
    if target == source.resolve():
        raise ValueError("the backup must not overwrite the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
            src.execute("PRAGMA busy_timeout = 5000")
            with contextlib.closing(sqlite3.connect(partial)) as dst:
                src.backup(dst, pages=PAGES_PER_STEP, sleep=STEP_PAUSE)
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
                (check,) = dst.execute("PRAGMA quick_check").fetchone()
                if check != "ok":
                    raise sqlite3.DatabaseError(f"the copy failed its check: {check}")
                (pages,) = dst.execute("PRAGMA page_count").fetchone()
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return int(pages)


def backup_command(config: Config, path: str) -> int:
    """The CLI: one line on success or failure; exit 0, or 1 when the copy could not be made."""
    try:
        pages = backup(config.db_path, Path(path))
    except (OSError, sqlite3.Error, ValueError) as exc:
        log.error("backup of %s failed: %s", config.db_path, exc)
        return 1
    log.info("backup of %s written to %s (%d pages)", config.db_path, path, pages)
    return 0
