"""Two aiosqlite connections: one for serialized write transactions, one that reads committed data."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from .db import open_database


class Database:
    """Writes share one connection and one lock so transactions never interleave.

    Reads use a second connection: in WAL mode it sees only committed data, so a request never
    reads what another request's open transaction has not committed (or will roll back).
    """

    def __init__(self, conn: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.conn = conn
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open and migrate the database file, then open the reading connection."""
        conn = await open_database(path)
        try:
            reader = await aiosqlite.connect(path, isolation_level=None)
            reader.row_factory = aiosqlite.Row
            await reader.execute("PRAGMA query_only=ON")
            await reader.execute("PRAGMA busy_timeout=5000")
        except BaseException:
            await conn.close()
            raise
        return cls(conn, reader)

    async def close(self) -> None:
        """Close both connections after any running write finishes."""
        async with self._write_lock:
            await self._reader.close()
            await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on error; one at a time."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                # SQLite may already have rolled back by itself (a full disk does): a second
                # ROLLBACK would fail and hide the real error
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

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
        return list(await self._reader.execute_fetchall(sql, tuple(params)))
