"""Submissions: the rules for accepting one (stored pending before the answer), listing and reading them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..clock import utcnow
from ..domain.bus import EventBus
from ..domain.errors import Invalid, NotFound
from ..domain.events import SubmissionQueued
from ..domain.records import Submission, User
from ..judge.compilers import CompilerInfo
from ..store import Store
from .access import AccessService
from .throttle import RateLimiter, refuse_after


class Place(Protocol):
    """A place reserved in a team's queue (server.fairqueue.Reservation)."""

    def cancel(self) -> None:
        """Give the place back: the submission was not stored."""
        ...


class Queue(Protocol):
    """Where accepted submissions go to be judged (the JudgeService)."""

    def reserve(self, team_id: int) -> Place:
        """A place for one more of the team's submissions; raises JudgeNotReady or TooManySubmissions."""
        ...

    def submit(self, reservation: Any, submission_id: int) -> None:  # the Place reserve() gave
        """Queue a stored pending submission in its reserved place."""
        ...


class SubmissionService:
    """Accepts submissions for the judge (at most SUBMISSIONS_PER_MINUTE per team) and reads them back."""

    def __init__(
        self,
        store: Store,
        access: AccessService,
        bus: EventBus,
        queue: Queue,
        compilers: Mapping[str, CompilerInfo],
        per_minute: int = 10,
    ) -> None:
        self._store = store
        self._access = access
        self._bus = bus
        self._queue = queue
        self._compilers = compilers
        self._per_team = RateLimiter(per_minute)

    async def submit(self, user: User, session_id: str, problem: str, compiler: str, source: bytes) -> Submission:
        """Store a submission pending, announce it and queue it for the judge.

        Invalid for an unknown compiler or problem or an empty source; DuplicateSubmission when the
        session already has this source for this compiler and problem; TooManyRequests past
        SUBMISSIONS_PER_MINUTE for the team; JudgeNotReady when this server does not judge;
        TooManySubmissions when the team already has its JUDGE_QUEUE_PER_TEAM submissions waiting
        (all before anything is stored: a refused submission costs nothing). A submission after the
        session finished (or its time ran out) is judged as upsolving: it changes neither progress
        nor standings.
        """
        session = await self._access.member_session(user, session_id)
        contest = self._access.contest_of(session)
        if compiler not in self._compilers:
            raise Invalid.field("compiler", f"one of {', '.join(self._compilers)}")
        if contest.problem(problem) is None:
            raise Invalid.field("problem", f"one of {', '.join(contest.problems)}")
        if not source.strip():
            raise Invalid.field("file", "empty")
        # spent before the first await, so submissions arriving together cannot all pass one check;
        # given back when the submission is refused after all, so a refusal still costs nothing
        wait = self._per_team.take(session.team_id)
        if wait > 0:
            limit = int(self._per_team.capacity)
            raise refuse_after(wait, f"submissions: a team may submit {limit} a minute", {"limit": limit})
        place = None
        try:
            place = self._queue.reserve(session.team_id)  # refused here, a submission leaves no trace
            now = utcnow()
            elapsed = int((now - session.dt_created).total_seconds() * 1000)
            submission = await self._store.submissions.create(
                session.id, problem, user.id, compiler, source, now, elapsed, session.over_at(now)
            )
        except BaseException:
            if place is not None:
                place.cancel()
            self._per_team.refund(session.team_id)
            raise
        self._bus.publish(SubmissionQueued(submission))
        self._queue.submit(place, submission.id)
        return submission

    async def of_session(self, user: User, session_id: str) -> list[Submission]:
        """The session's submissions, newest first."""
        session = await self._access.member_session(user, session_id)
        return await self._store.submissions.of_session(session.id)

    async def of_problem(self, user: User, session_id: str, alias: str) -> list[Submission]:
        """One problem's submissions, newest first."""
        session, problem = await self._access.member_problem(user, session_id, alias)
        return await self._store.submissions.of_session(session.id, problem.alias)

    async def get(self, user: User, session_id: str, submission_id: int, full: bool) -> Submission:
        """One submission of the session, with source and logs when full."""
        session = await self._access.member_session(user, session_id)
        submission = await self._store.submissions.get(submission_id, full=full)
        if submission is None or submission.session_id != session.id:
            raise NotFound(f"no submission {submission_id} in this session", {"id": submission_id})
        return submission
