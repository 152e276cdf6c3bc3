"""Contests, compilers and a session's problems with their progress, assignee and statement."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..contests.models import Contest, ContestCatalog, Problem
from ..domain.errors import NotFound
from ..domain.records import ProblemState, TrainingSession, User
from ..judge.compilers import CompilerInfo
from ..rooms.registry import RoomRegistry
from ..rooms.training import SessionFacts
from ..store import Store
from .access import AccessService

# Content types of the files a statement may show; anything else is never served.
STATEMENT_FILE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
}


@dataclass(frozen=True, slots=True)
class Limit:
    """A problem's limits for one compiler."""

    compiler: str
    time_ms: int
    memory_bytes: int


@dataclass(frozen=True, slots=True)
class SessionProblem:
    """A problem of a session's contest with the session's state of it."""

    problem: Problem
    state: ProblemState
    assignee: User | None
    compilers: tuple[str, ...]  # every compiler is offered for every problem, with the same limits

    @property
    def test_count(self) -> int:
        """Samples and secret tests."""
        return len(self.problem.tests)

    @property
    def limits(self) -> tuple[Limit, ...]:
        """The limits per compiler."""
        time_ms = round(self.problem.time_limit * 1000)
        return tuple(Limit(c, time_ms, self.problem.memory_limit) for c in self.compilers)


@dataclass(frozen=True, slots=True)
class SessionContest:
    """The contest a session plays, from the session's start."""

    contest: Contest
    session: TrainingSession
    problems: tuple[SessionProblem, ...]


@dataclass(frozen=True, slots=True)
class AliasState:
    """One problem's state in a session."""

    alias: str
    state: ProblemState


class ContestService:
    """Reads of the contest catalog, joined with the store's progress and the room's assignments."""

    def __init__(
        self,
        store: Store,
        catalog: ContestCatalog,
        rooms: RoomRegistry,
        access: AccessService,
        compilers: Mapping[str, CompilerInfo],
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._rooms = rooms
        self._access = access
        self._compilers = compilers

    def contests(self) -> list[Contest]:
        """Every loaded contest."""
        return list(self._catalog.contests.values())

    def compilers(self) -> list[CompilerInfo]:
        """The compilers the judge offers."""
        return list(self._compilers.values())

    async def session_contest(self, user: User, session_id: str) -> SessionContest:
        """The contest of one of the user's sessions, with its problems."""
        session = await self._access.member_session(user, session_id)
        contest = self._access.contest_of(session)
        return SessionContest(contest, session, await self._problems(session, contest))

    async def problems(self, user: User, session_id: str) -> tuple[SessionProblem, ...]:
        """Every problem of the session's contest, by alias, with status, attempts and assignee."""
        session = await self._access.member_session(user, session_id)
        return await self._problems(session, self._access.contest_of(session))

    async def problem_state(self, user: User, session_id: str, alias: str) -> AliasState:
        """One problem's status and attempts."""
        session, problem = await self._access.member_problem(user, session_id, alias)
        return AliasState(problem.alias, await self._store.problem_states.get(session.id, problem.alias))

    async def statement(self, user: User, session_id: str, alias: str) -> Problem:
        """A problem whose statement (HTML rendered at load, and the files it shows) the user may read."""
        _, problem = await self._access.member_problem(user, session_id, alias)
        return problem

    async def statement_file(self, user: User, session_id: str, alias: str, name: str) -> tuple[Path, str]:
        """A file the statement shows, with its content type; NotFound for anything it does not refer to.

        Looked up among the names the statement refers to, so no path outside them can be asked for.
        """
        _, problem = await self._access.member_problem(user, session_id, alias)
        statement = problem.statement
        missing = NotFound(f"the statement of problem {problem.alias} has no file {name!r}", {"file": name})
        if name not in statement.files or statement.assets is None:
            raise missing
        path = statement.assets / name
        content_type = STATEMENT_FILE_TYPES.get(path.suffix.lower())
        if content_type is None or not await asyncio.to_thread(path.is_file):
            raise missing
        return path, content_type

    async def _problems(self, session: TrainingSession, contest: Contest) -> tuple[SessionProblem, ...]:
        states = await self._store.problem_states.of_session(session.id)
        room = await self._rooms.training(session.id, SessionFacts.of(session, contest.problems), create=False)
        assigned = room.assignments if room is not None else {}
        offered = tuple(self._compilers)
        return tuple(
            SessionProblem(p, states.get(alias, ProblemState()), assigned.get(alias), offered)
            for alias, p in sorted(contest.problems.items())
        )
