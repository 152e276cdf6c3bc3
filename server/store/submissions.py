"""Submissions: stored pending before the answer, judged later, with their problem state."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from ..clock import from_iso, to_iso
from ..domain.errors import DuplicateSubmission
from ..domain.records import Outcome, ProblemState, Submission, TestRecord, next_state
from ..judge.verdicts import OK, PENDING
from .database import Database

_SHORT = (
    "id, session_id, problem_alias, author_id, compiler, verdict, score, time_ms, memory, failed_test, "
    "time_from_start, dt_submitted, upsolving"
)
_FULL = _SHORT + ", source, compile_log, checker_log"
# the fields of server.scoring.Attempt, in its order
_ATTEMPT = "s.session_id, s.problem_alias, s.verdict, s.time_from_start, s.upsolving"


def _checker_log(text: str) -> tuple[TestRecord, ...]:
    """The stored checker log: a JSON list of TestRecord fields (snake_case since schema version 3)."""
    return tuple(TestRecord(**entry) for entry in orjson.loads(text))


def _checker_log_text(log: tuple[TestRecord, ...]) -> str:
    return orjson.dumps(log).decode()  # orjson writes dataclasses as objects of their fields


def _submission(row: sqlite3.Row, full: bool = False) -> Submission:
    extra: dict[str, Any] = {}
    if full:
        extra = {
            "source": bytes(row["source"]),
            "compile_log": row["compile_log"],
            "checker_log": _checker_log(row["checker_log"]),
        }
    return Submission(
        row["id"],
        row["session_id"],
        row["problem_alias"],
        row["author_id"],
        row["compiler"],
        row["verdict"],
        row["score"],
        row["time_ms"],
        row["memory"],
        row["failed_test"],
        row["time_from_start"],
        from_iso(row["dt_submitted"]),
        bool(row["upsolving"]),
        **extra,
    )


class SubmissionRepository:
    """SQL for submissions and the problem-state change each judged one makes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        session_id: str,
        alias: str,
        author_id: int,
        compiler: str,
        source: bytes,
        now: datetime,
        time_from_start: int,
        upsolving: bool,
    ) -> Submission:
        """Store a pending submission and return it; raises DuplicateSubmission for a repeat.

        The check and the insert share one write transaction, so two identical submissions sent at
        once store exactly one.
        """
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT id FROM submissions WHERE session_id = ? AND problem_alias = ? AND compiler = ? "
                "AND source = ? ORDER BY id LIMIT 1",
                (session_id, alias, compiler, source),
            ) as cursor:
                earlier = await cursor.fetchone()
            if earlier is not None:
                message = f"this source was already submitted for problem {alias} with {compiler} (run {earlier[0]})"
                raise DuplicateSubmission(message, earlier[0])
            cur = await conn.execute(
                "INSERT INTO submissions (session_id, problem_alias, author_id, compiler, source, verdict, "
                "time_from_start, dt_submitted, upsolving) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, alias, author_id, compiler, source, PENDING, time_from_start, to_iso(now), int(upsolving)),
            )
            submission_id = cur.lastrowid or 0
        return Submission(
            submission_id, session_id, alias, author_id, compiler, PENDING, 0, 0, 0, 0, time_from_start, now, upsolving
        )

    async def get(self, submission_id: int, full: bool = False) -> Submission | None:
        """One submission, with source and logs when full."""
        row = await self._db.fetch_one(
            f"SELECT {_FULL if full else _SHORT} FROM submissions WHERE id = ?", (submission_id,)
        )
        return _submission(row, full) if row else None

    async def of_session(self, session_id: str, alias: str | None = None) -> list[Submission]:
        """A session's submissions, newest first, optionally of one problem."""
        where, params = "session_id = ?", [session_id]
        if alias is not None:
            where, params = where + " AND problem_alias = ?", [session_id, alias]
        rows = await self._db.fetch_all(f"SELECT {_SHORT} FROM submissions WHERE {where} ORDER BY id DESC", params)
        return [_submission(r) for r in rows]

    async def of_contest(self, contest_id: int) -> list[Submission]:
        """Every submission of every session of a contest, oldest first (for standings)."""
        columns = ", ".join(f"s.{c.strip()}" for c in _SHORT.split(","))
        rows = await self._db.fetch_all(
            f"SELECT {columns} FROM submissions s JOIN training_sessions t ON t.id = s.session_id "
            "WHERE t.contest_id = ? ORDER BY s.id",
            (contest_id,),
        )
        return [_submission(r) for r in rows]

    async def attempts_of_contest(self, contest_id: int) -> list[Sequence[Any]]:
        """Every in-contest submission of a contest's sessions as rows of scoring.Attempt's fields, in submission order.

        Rows stay as the driver made them (on its thread): the standings build turns them into
        attempts in a worker thread, so 100,000 of them cost the event loop nothing.
        """
        return await self._db.fetch_all(  # type: ignore[return-value]
            f"SELECT {_ATTEMPT} FROM submissions s JOIN training_sessions t ON t.id = s.session_id "
            "WHERE t.contest_id = ? AND s.upsolving = 0 ORDER BY s.id",
            (contest_id,),
        )

    async def attempts_of(self, session_id: str, alias: str) -> list[Sequence[Any]]:
        """One session's in-contest submissions on one problem, as rows like attempts_of_contest()."""
        return await self._db.fetch_all(  # type: ignore[return-value]
            f"SELECT {_ATTEMPT} FROM submissions s WHERE s.session_id = ? AND s.problem_alias = ? "
            "AND s.upsolving = 0 ORDER BY s.id",
            (session_id, alias),
        )

    async def pending(self) -> list[tuple[int, int]]:
        """(submission id, team id) of the submissions accepted but not judged yet, oldest first, in one query.

        The team id is 0 for a submission whose session is gone.
        """
        rows = await self._db.fetch_all(
            "SELECT s.id, COALESCE(t.team_id, 0) AS team_id FROM submissions s "
            "LEFT JOIN training_sessions t ON t.id = s.session_id WHERE s.verdict = ? ORDER BY s.id",
            (PENDING,),
        )
        return [(r["id"], r["team_id"]) for r in rows]

    async def record(self, submission: Submission, outcome: Outcome) -> ProblemState | None:
        """Store the outcome and, for an in-contest submission, the problem's next state, atomically."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE submissions SET verdict = ?, score = ?, time_ms = ?, memory = ?, failed_test = ?, "
                "compile_log = ?, checker_log = ? WHERE id = ? AND verdict = ?",
                (
                    outcome.verdict,
                    outcome.score,
                    outcome.time_ms,
                    outcome.memory,
                    outcome.failed_test,
                    outcome.compile_log,
                    _checker_log_text(outcome.checker_log),
                    submission.id,
                    PENDING,
                ),
            )
            if cur.rowcount == 0 or submission.upsolving:
                return None
            async with conn.execute(
                "SELECT status, attempts FROM problem_states WHERE session_id = ? AND problem_alias = ?",
                (submission.session_id, submission.problem_alias),
            ) as cursor:
                row = await cursor.fetchone()
            state = next_state(ProblemState(row[0], row[1]) if row else ProblemState(), outcome.verdict == OK)
            await conn.execute(
                "INSERT INTO problem_states (session_id, problem_alias, status, attempts) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (session_id, problem_alias) DO UPDATE SET status = excluded.status, "
                "attempts = excluded.attempts",
                (submission.session_id, submission.problem_alias, state.status, state.attempts),
            )
            return state
