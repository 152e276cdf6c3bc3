"""Per-session problem states: NOT_SUBMITTED, FAILED, PASSED (sticky) and judged attempts."""

from __future__ import annotations

from ..domain.records import ProblemState
from .database import Database


class ProblemStateRepository:
    """SQL for problem states."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def of_session(self, session_id: str) -> dict[str, ProblemState]:
        """Stored states by alias; absent aliases are NOT_SUBMITTED with 0 attempts."""
        rows = await self._db.fetch_all(
            "SELECT problem_alias, status, attempts FROM problem_states WHERE session_id = ?", (session_id,)
        )
        return {r["problem_alias"]: ProblemState(r["status"], r["attempts"]) for r in rows}

    async def get(self, session_id: str, alias: str) -> ProblemState:
        """One problem's state."""
        row = await self._db.fetch_one(
            "SELECT status, attempts FROM problem_states WHERE session_id = ? AND problem_alias = ?",
            (session_id, alias),
        )
        return ProblemState(row["status"], row["attempts"]) if row else ProblemState()
