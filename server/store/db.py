"""Opening the SQLite database: folder and 0600 file, WAL mode, ordered migrations."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import aiosqlite

from .migrations import MIGRATIONS

log = logging.getLogger(__name__)


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the server."""


def _prepare_file(path: Path) -> None:
    """Create the folder and an empty file readable only by this user, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    if stat.S_IMODE(path.stat().st_mode) != 0o600:
        os.chmod(path, 0o600)


async def open_database(path: Path) -> aiosqlite.Connection:
    """Open (creating if needed) and migrate the database at path."""
    _prepare_file(path)
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await migrate(conn)
    except BaseException:
        await conn.close()
        raise
    return conn


async def migrate(conn: aiosqlite.Connection) -> None:
    """Run the migrations this database has not seen yet, each in its own transaction."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    version = int(row[0]) if row else 0
    if version > len(MIGRATIONS):
        raise SchemaTooNew(f"database schema version {version} is newer than this server ({len(MIGRATIONS)})")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        log.info("database migrated to schema version %d", number)
