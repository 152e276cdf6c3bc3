"""Room-state snapshots: one JSON document per room."""

from __future__ import annotations

from collections.abc import Sequence

from ..clock import to_iso, utcnow
from .database import Database


class SnapshotRepository:
    """Save and load room snapshots; the room code never writes SQL."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Upsert (kind, room_id, state_json) rows in one transaction."""
        if not rows:
            return
        now = to_iso(utcnow())
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO room_snapshots (kind, room_id, state, dt_updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, room_id) DO UPDATE SET state = excluded.state, dt_updated = excluded.dt_updated",
                [(kind, room_id, state, now) for kind, room_id, state in rows],
            )

    async def check(self) -> None:
        """Raise when the snapshot table cannot be read (then nothing is written until restart)."""
        await self._db.fetch_one("SELECT kind, room_id, state FROM room_snapshots LIMIT 1")

    async def load_one(self, kind: str, room_id: str) -> str | None:
        """One room's stored state_json, if any."""
        row = await self._db.fetch_one(
            "SELECT state FROM room_snapshots WHERE kind = ? AND room_id = ?", (kind, room_id)
        )
        return row["state"] if row else None

    async def quarantine(self, kind: str, room_id: str) -> None:
        """Move an unreadable row to room_snapshots_corrupt, in one transaction, so nothing is lost."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO room_snapshots_corrupt (kind, room_id, state, dt_quarantined) "
                "SELECT kind, room_id, state, ? FROM room_snapshots WHERE kind = ? AND room_id = ?",
                (to_iso(utcnow()), kind, room_id),
            )
            await conn.execute("DELETE FROM room_snapshots WHERE kind = ? AND room_id = ?", (kind, room_id))
