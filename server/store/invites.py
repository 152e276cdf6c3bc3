"""Registration invite codes (stored as hashes): created by admins, spent by UserRepository.create."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..clock import from_iso, to_iso
from ..domain.records import InviteCode
from .database import Database

_COLUMNS = "id, creator_id, uses_left, dt_created, expires_at"


def _code(row: sqlite3.Row) -> InviteCode:
    return InviteCode(
        row["id"], row["creator_id"], row["uses_left"], from_iso(row["dt_created"]), from_iso(row["expires_at"])
    )


class InviteRepository:
    """SQL for registration invite codes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, code_hash: str, creator_id: int, uses: int, now: datetime, expires_at: datetime
    ) -> InviteCode:
        """Store a new code's hash."""
        code_id = await self._db.write(
            "INSERT INTO invite_codes (code_hash, creator_id, uses_left, dt_created, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (code_hash, creator_id, uses, to_iso(now), to_iso(expires_at)),
        )
        return InviteCode(code_id, creator_id, uses, now, expires_at)

    async def usable(self, now: datetime) -> list[InviteCode]:
        """Codes with uses left that have not expired, newest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM invite_codes WHERE uses_left > 0 AND expires_at > ? ORDER BY id DESC",
            (to_iso(now),),
        )
        return [_code(r) for r in rows]

    async def delete(self, code_id: int) -> bool:
        """Withdraw a code; False when there was none with this id."""
        async with self._db.transaction() as conn:
            cur = await conn.execute("DELETE FROM invite_codes WHERE id = ?", (code_id,))
            return cur.rowcount > 0

    async def purge(self, now: datetime) -> int:
        """Forget codes that are used up or expired (they can never be spent again)."""
        async with self._db.transaction() as conn:
            cur = await conn.execute("DELETE FROM invite_codes WHERE uses_left <= 0 OR expires_at <= ?", (to_iso(now),))
            return cur.rowcount
