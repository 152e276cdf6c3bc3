"""Training sessions: a team's virtual participation in a contest."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta

from ..clock import from_iso, to_iso
from ..domain.records import FINISHED, IN_PROCESS, TrainingSession
from .database import Database


class AlreadyRunning(Exception):
    """The team already has a session in process."""


_COLUMNS = "id, team_id, contest_id, status, dt_created, dt_finished, ends_at"


def _session(row: sqlite3.Row) -> TrainingSession:
    return TrainingSession(
        row["id"],
        row["team_id"],
        row["contest_id"],
        row["status"],
        from_iso(row["dt_created"]),
        from_iso(row["dt_finished"]) if row["dt_finished"] else None,
        from_iso(row["ends_at"]),
    )


class SessionRepository:
    """SQL for training sessions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, team_id: int, contest_id: int, now: datetime, duration: int) -> TrainingSession:
        """Start a session; raises AlreadyRunning if the team has one in process."""
        session = TrainingSession(
            str(uuid.uuid4()), team_id, contest_id, IN_PROCESS, now, None, now + timedelta(seconds=duration)
        )
        try:
            await self._db.write(
                f"INSERT INTO training_sessions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL, ?)",
                (session.id, team_id, contest_id, IN_PROCESS, to_iso(now), to_iso(session.ends_at)),
            )
        except sqlite3.IntegrityError:
            raise AlreadyRunning(team_id) from None
        return session

    async def get(self, session_id: str) -> TrainingSession | None:
        """A session by id."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM training_sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    async def running_for_team(self, team_id: int) -> TrainingSession | None:
        """The team's session in process, if any."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM training_sessions WHERE team_id = ? AND status = ?", (team_id, IN_PROCESS)
        )
        return _session(row) if row else None

    async def latest(self, team_id: int, contest_id: int) -> TrainingSession | None:
        """The newest session of a team on a contest."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM training_sessions WHERE team_id = ? AND contest_id = ? "
            "ORDER BY dt_created DESC, rowid DESC LIMIT 1",
            (team_id, contest_id),
        )
        return _session(row) if row else None

    async def all_running(self) -> list[TrainingSession]:
        """Every session in process (for arming timers at start)."""
        rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM training_sessions WHERE status = ?", (IN_PROCESS,))
        return [_session(r) for r in rows]

    async def of_contest(self, contest_id: int) -> list[TrainingSession]:
        """Every session of a contest, oldest first (standings rows)."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM training_sessions WHERE contest_id = ? ORDER BY dt_created, rowid",
            (contest_id,),
        )
        return [_session(r) for r in rows]

    async def finish(self, session_id: str, now: datetime) -> bool:
        """Mark a running session FINISHED at `now`; False if it was not running."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE training_sessions SET status = ?, dt_finished = ? WHERE id = ? AND status = ?",
                (FINISHED, to_iso(now), session_id, IN_PROCESS),
            )
            return cur.rowcount > 0
