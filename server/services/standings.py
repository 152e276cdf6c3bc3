"""ICPC standings of a session's contest: every session of that contest is a row (docs/protocol.md).

Standings are kept per contest in memory and brought up to date by the events that change them,
so a request never reads every submission of the contest:

- the first request for a contest builds its table: one query for the contest's in-contest
  submissions, turned into cells (server.scoring) in a worker thread;
- a verdict (SubmissionJudged) marks one cell, (session, problem), stale: the next request re-reads
  that cell's few submissions through the (session_id, problem_alias) index;
- a new session (SessionStarted) marks the contest's rows stale: the next request re-reads the
  contest's sessions (not their submissions) and builds the new session's cells;
- the ranked answer is kept until something changes, so most requests cost a dictionary lookup.

Upsolving verdicts change nothing. A contest package reloaded with other problems is rebuilt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..contests.models import Contest
from ..domain.bus import EventBus
from ..domain.events import DomainEvent, SessionStarted, SubmissionJudged
from ..domain.records import User
from ..scoring import Attempt, Cell, Participant, Standings, cell_of, cells_of, ranked
from ..store import Store
from .access import AccessService

Titles = tuple[tuple[str, str], ...]
RANK_INLINE_ROWS = 200  # larger tables are ranked in a worker thread (cells change only under the table's lock)


def _attempts(rows: Iterable[Sequence[Any]]) -> Iterable[Attempt]:
    return (Attempt(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows)


@dataclass
class ContestTable:
    """One contest's rows and cells, what is stale in them, and the last ranked answer."""

    titles: Titles
    participants: dict[str, Participant] = field(default_factory=dict)  # session id -> row, oldest session first
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)  # session id -> alias -> cell
    stale_cells: set[tuple[str, str]] = field(default_factory=set)
    stale_rows: bool = False  # sessions to re-read (after SessionStarted)
    built: bool = False
    answer: Standings | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def aliases(self) -> list[str]:
        """The contest's problem aliases, in column order."""
        return [alias for alias, _ in self.titles]

    @property
    def current(self) -> bool:
        """True when nothing is stale and the answer can be served as it is."""
        return self.built and self.answer is not None and not self.stale_rows and not self.stale_cells


class StandingsService:
    """Serves each contest's standings from a table kept current by domain events."""

    def __init__(self, store: Store, access: AccessService, bus: EventBus) -> None:
        self._store = store
        self._access = access
        self._tables: dict[int, ContestTable] = {}
        bus.subscribe(self._on_event)

    async def of_session(self, user: User, session_id: str) -> Standings:
        """The standings of the contest one of the user's sessions plays."""
        session = await self._access.member_session(user, session_id)
        return await self.of_contest(self._access.contest_of(session))

    async def of_contest(self, contest: Contest) -> Standings:
        """A contest's standings, brought up to date with what changed since the last request."""
        titles: Titles = tuple((alias, p.name) for alias, p in contest.problems.items())
        table = self._tables.get(contest.id)
        if table is None or table.titles != titles:  # first use, or the package was reloaded with other problems
            table = self._tables[contest.id] = ContestTable(titles)
        if table.current:
            assert table.answer is not None
            return table.answer
        async with table.lock:  # one refresh at a time; requests that waited here find it done
            if table.current:
                assert table.answer is not None
                return table.answer
            try:
                return await self._refresh(contest.id, table)
            except BaseException:  # half-read: forget the table, the next request builds it again
                if self._tables.get(contest.id) is table:
                    del self._tables[contest.id]
                raise

    async def _refresh(self, contest_id: int, table: ContestTable) -> Standings:
        """Re-read what is stale and rank; marks made while this awaits stay for the next request."""
        if not table.built:
            table.built, table.stale_rows, table.stale_cells = True, False, set()
            await self._build(contest_id, table)
        if table.stale_rows:
            table.stale_rows = False
            await self._read_rows(contest_id, table)
        await self._read_cells(table)
        rows = list(table.participants.values())
        if len(rows) > RANK_INLINE_ROWS:  # ~10 ms per 1,000 rows of 10 problems: not on the loop
            answer = await asyncio.to_thread(ranked, table.titles, rows, table.cells)
        else:
            answer = ranked(table.titles, rows, table.cells)
        if not table.stale_rows and not table.stale_cells:  # nothing changed while this refresh awaited
            table.answer = answer
        return answer

    async def _read_cells(self, table: ContestTable) -> None:
        """Recompute the stale cells from their own submissions (a handful each, through an index)."""
        stale, table.stale_cells = table.stale_cells, set()
        for session_id, alias in stale:
            if alias in table.cells.get(session_id, {}):
                rows = await self._store.submissions.attempts_of(session_id, alias)
                table.cells[session_id][alias] = cell_of(_attempts(rows))

    async def _build(self, contest_id: int, table: ContestTable) -> None:
        """Every row and cell of a contest: one query, scored in a worker thread."""
        await self._read_rows(contest_id, table, with_cells=False)
        rows = await self._store.submissions.attempts_of_contest(contest_id)
        table.cells = await asyncio.to_thread(cells_of, table.aliases, list(table.participants), _attempts(rows))

    async def _read_rows(self, contest_id: int, table: ContestTable, with_cells: bool = True) -> None:
        """The contest's sessions with their teams' names; new sessions' cells are read when `with_cells`."""
        sessions = await self._store.sessions.of_contest(contest_id)
        names = await self._store.teams.names([s.team_id for s in sessions])
        participants = {s.id: Participant(s.id, names.get(s.team_id, f"team {s.team_id}")) for s in sessions}
        for session_id in participants:
            if with_cells and session_id not in table.cells:  # a new session: its cells are read with the stale ones
                table.cells[session_id] = {alias: Cell() for alias in table.aliases}
                table.stale_cells.update((session_id, alias) for alias in table.aliases)
        table.participants = participants

    def _on_event(self, event: DomainEvent) -> None:
        """Mark what an event makes stale (synchronous, so no event is missed between two requests)."""
        if isinstance(event, SessionStarted):
            table = self._tables.get(event.session.contest_id)
            if table is not None and event.session.id not in table.participants:
                table.stale_rows = True
                table.answer = None
        elif isinstance(event, SubmissionJudged) and not event.submission.upsolving:
            # A session no table holds yet is read whole when its table reads its rows (after SessionStarted).
            submission = event.submission
            for table in self._tables.values():  # a table per contest in use: a few
                if submission.session_id in table.participants:
                    table.stale_cells.add((submission.session_id, submission.problem_alias))
                    table.answer = None
