"""The SQLite database: a 0600 file in WAL mode, ordered migrations, one writing and one reading connection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from .migrations import MIGRATIONS

log = logging.getLogger(__name__)

_SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
MIN_FREE_BYTES = 8 * 1024 * 1024  # less room than this for the database and its WAL: not writable
# SQLite's primary result codes for a file that cannot take writes (the extended codes refine them)
_STORAGE_CODES = {
    3: "SQLITE_PERM",
    8: "SQLITE_READONLY",
    10: "SQLITE_IOERR",
    11: "SQLITE_CORRUPT",
    13: "SQLITE_FULL",
    14: "SQLITE_CANTOPEN",
    26: "SQLITE_NOTADB",
}


def storage_failure(exc: BaseException) -> bool:
    """True for an error of the database file itself (full, read-only, I/O), not of the statement."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.Error) and code is not None and code & 0xFF in _STORAGE_CODES


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the server."""


def _prepare_file(path: Path) -> None:
    """Create the folder and an empty file readable only by this user, before SQLite opens it.

    An existing file is made private only once it is known to be a SQLite database: a DB_PATH that
    names some other file by mistake (it once made /etc/passwd 0600) is refused and left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        header = os.read(fd, len(_SQLITE_HEADER))
    finally:
        os.close(fd)
    if header and header != _SQLITE_HEADER:
        raise sqlite3.DatabaseError("file is not a database")
    if stat.S_IMODE(path.stat().st_mode) != 0o600:
        os.chmod(path, 0o600)


async def _open_writer(path: Path) -> aiosqlite.Connection:
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


async def _open_reader(path: Path) -> aiosqlite.Connection:
    reader = await aiosqlite.connect(path, isolation_level=None)
    try:
        reader.row_factory = aiosqlite.Row
        await reader.execute("PRAGMA query_only=ON")
        await reader.execute("PRAGMA busy_timeout=5000")
    except BaseException:
        await reader.close()
        raise
    return reader


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


class Database:
    """Writes share one connection and one lock so transactions never interleave.

    Reads use a second connection: in WAL mode it sees only committed data, so a request never
    reads what another request's open transaction has not committed (or will roll back).
    Built closed (so the application's object graph can be wired before the event loop runs);
    open() connects and migrates.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        # The last write's storage error, until a later write commits: a fault no probe could see
        # (an I/O error) still makes the health check fail while it lasts.
        self.storage_error: str | None = None

    async def open(self) -> None:
        """Open and migrate the database file, then open the reading connection."""
        conn = await _open_writer(self.path)
        try:
            self._reader = await _open_reader(self.path)
        except BaseException:
            await conn.close()
            raise
        self._conn = conn

    @property
    def conn(self) -> aiosqlite.Connection:
        """The writing connection (open() must have run)."""
        if self._conn is None:
            raise RuntimeError("the database is not open")
        return self._conn

    @property
    def _read(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("the database is not open")
        return self._reader

    async def close(self) -> None:
        """Close both connections after any running write finishes; safe when never opened."""
        async with self._write_lock:
            for conn in (self._reader, self._conn):
                if conn is not None:
                    await conn.close()
            self._conn = self._reader = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on error; one at a time."""
        async with self._write_lock:
            conn = self.conn
            try:
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    # SQLite may already have rolled back by itself (a full disk does): a second
                    # ROLLBACK would fail and hide the real error
                    if conn.in_transaction:
                        await conn.execute("ROLLBACK")
                    raise
                await conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if storage_failure(exc):
                    self.storage_error = str(exc)
                raise
            self.storage_error = None

    async def unwritable(self) -> str | None:
        """None when the database can take writes now; otherwise why not (for /health/ping-database).

        A full disk is seen before a write fails on it: the free space of the folder and the pages the
        file may still grow by (`PRAGMA max_page_count`, which is how tests simulate a full disk) must
        leave MIN_FREE_BYTES, the file must be writable and the last write must not have failed on storage.
        """
        # Two quick syscalls on the loop: the default executor may be busy with judge work.
        if not os.access(self.path, os.W_OK):
            return f"{self.path} is not writable"
        fs = os.statvfs(self.path.parent)
        if fs.f_flag & os.ST_RDONLY:
            return f"{self.path.parent} is on a read-only file system"
        if fs.f_bavail * fs.f_frsize < MIN_FREE_BYTES:
            return f"{fs.f_bavail * fs.f_frsize} bytes free on the database's file system"
        # One round trip to the writer's thread (max_page_count is a setting of that connection).
        async with self.conn.execute(
            "SELECT p.page_size, c.page_count, m.max_page_count, f.freelist_count FROM pragma_page_size() AS p, "
            "pragma_page_count() AS c, pragma_max_page_count() AS m, pragma_freelist_count() AS f"
        ) as cur:
            row = await cur.fetchone()
        if row is not None:
            page_size, pages, max_pages, free = (int(v) for v in row)
            spare = max_pages - pages + free
            if spare * page_size < MIN_FREE_BYTES:
                return f"the database may grow by {spare} pages only (max_page_count)"
        if self.storage_error is not None:
            await self._probe_write()
        return self.storage_error

    async def _probe_write(self) -> None:
        """Try one real write (the header's user_version, rewritten unchanged); its commit clears storage_error.

        Without it the last failure outlived the fault until some other write committed, and an idle
        server (its health failing, so no traffic routed to it) reported a full disk forever.
        """
        with contextlib.suppress(sqlite3.Error):
            async with self.transaction() as conn:
                async with conn.execute("PRAGMA user_version") as cur:
                    row = await cur.fetchone()
                await conn.execute(f"PRAGMA user_version = {int(row[0]) if row else 0}")

    async def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one write statement in its own transaction; returns lastrowid."""
        async with self.transaction() as conn:
            cur = await conn.execute(sql, tuple(params))
            return cur.lastrowid or 0

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """First row of a query, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Every row of a query."""
        # Run and exhaust the statement in one step on the reader's thread: a cursor left open across
        # an await would hold its read transaction, and every overlapping read would see that old snapshot.
        return list(await self._read.execute_fetchall(sql, tuple(params)))
