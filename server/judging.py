"""The judge service: a fair queue of submissions, JUDGE_WORKERS sandbox runs at once, verdicts stored and announced.

Fairness (server/fairqueue.py): each team's submissions are judged one at a
time in their order, the teams in turn, and every sandbox run (a compile, a
test) takes one of JUDGE_WORKERS turns granted round-robin between teams, so
another team's backlog delays a submission by at most one run.  A team may
have JUDGE_QUEUE_PER_TEAM submissions waiting or being judged; more are
refused (429 with Retry-After) before anything is stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import math
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from .contests.models import ContestCatalog
from .events import Publisher
from .fairqueue import FairQueue, QueueFull, Reservation, RunTurns
from .judge.isolation import Readiness
from .judge.types import JudgeError, JudgeReport, JudgeTask, TestResult
from .judge.verdicts import COMPILATION_ERROR, JUDGE_ERROR, OK, PENDING, RUNTIME_ERROR
from .store import Store
from .store.submissions import Outcome, Submission
from .wire import submission_short

log = logging.getLogger(__name__)

# Submissions being judged at once (each waits for run turns): every active team
# up to this many; beyond it a new team waits for a whole submission.
MAX_IN_PROGRESS = 64
# Seconds a submission takes, before the first one was measured (for Retry-After).
FIRST_ESTIMATE = 10.0


class Judge(Protocol):
    """What the service needs of the sandboxed judge."""

    isolation: str
    readiness: Readiness

    async def judge(
        self, task: JudgeTask, turn: Callable[[], AbstractAsyncContextManager[int]] | None = None
    ) -> JudgeReport:
        """Compile and run a task, each sandbox run inside a `turn()`."""
        ...


class TooManySubmissions(Exception):
    """The team already has its JUDGE_QUEUE_PER_TEAM submissions waiting or being judged."""

    def __init__(self, team_id: int, limit: int, retry_after: int) -> None:
        super().__init__(f"team {team_id} already has {limit} submissions waiting to be judged; try again later")
        self.limit = limit
        self.retry_after = retry_after  # seconds


def judge_error_outcome(message: str, report: JudgeReport | None = None) -> Outcome:
    """How a judging error is stored: the one place that decides what a team sees when the judge failed.

    Today: CompilationError (it costs no penalty) with "judge error: ..." in the compile log and the tests
    run so far in the checker log; never WrongAnswer or another verdict the team did not earn.
    """
    tests = outcome_of(report).checker_log if report is not None else []
    return Outcome(COMPILATION_ERROR, 0, 0, 0, 0, f"judge error: {message}", tests)


def _log_entry(t: TestResult) -> dict[str, object]:
    entry: dict[str, object] = {
        "sequenceNumber": t.sequence_number,
        "testName": t.test_name,
        "verdict": t.verdict,
        "runningTime": t.running_time,
        "memoryUsed": t.memory_used,
    }
    if t.message:
        entry["checkerMessage"] = t.message  # a custom validator's judgemessage.txt / testlib comment
    return entry


def outcome_of(report: JudgeReport) -> Outcome:
    """The stored outcome of a judge report (a JUDGE_ERROR report goes through judge_error_outcome)."""
    return Outcome(
        verdict=report.verdict,
        score=1 if report.verdict == OK else 0,
        time_ms=report.time,
        memory=report.memory,
        failed_test=report.failed_test,
        compile_log=report.compile_log,
        checker_log=[_log_entry(t) for t in report.tests],
    )


class JudgeService:
    """Judges queued submissions fairly between teams, `workers` sandbox runs at a time."""

    def __init__(
        self,
        store: Store,
        contests: ContestCatalog,
        events: Publisher,
        judge: Judge,
        workers: int,
        per_team: int = 10,
    ) -> None:
        self._store = store
        self._contests = contests
        self._events = events
        self._judge = judge
        self._queue: FairQueue[int, int] = FairQueue(per_team)  # team id -> submission ids
        self._turns: RunTurns[int] = RunTurns(workers)
        self._dispatcher: asyncio.Task[None] | None = None
        self._judging: set[asyncio.Task[None]] = set()
        self._seconds_each = FIRST_ESTIMATE  # moving average of a submission's judging time

    @property
    def ready(self) -> bool:
        """Whether submissions are judged here (JUDGE_ISOLATION allows the isolation the judge found)."""
        return self._judge.readiness.ready

    @property
    def unavailable_reason(self) -> str:
        """Why submissions are refused, when they are."""
        return self._judge.readiness.reason

    def health(self) -> dict[str, object]:
        """The judge's part of GET /health/ping-application."""
        readiness = self._judge.readiness
        return {
            "isolation": readiness.level,
            "ready": readiness.ready,
            "mode": readiness.mode,
            "missing": list(readiness.missing),
        }

    async def start(self) -> None:
        """Queue what was left pending by a crash or shutdown, then start the workers."""
        if not self.ready:
            # Left pending: a later start with a working sandbox judges them.
            log.error("%s", self.unavailable_reason)
            return
        pending = await self._store.submissions.pending_ids()
        for submission_id in pending:
            # accepted before the restart: queued whatever the cap says
            self._queue.put_unchecked(await self._team_of(submission_id), submission_id)
        if pending:
            log.info("%d pending submissions queued for judging again", len(pending))
        self._dispatcher = asyncio.create_task(self._dispatch(), name="judge-dispatcher")

    async def stop(self) -> None:
        """Stop judging; a submission cut short stays pending and is judged after the next start."""
        tasks = [t for t in (self._dispatcher, *self._judging) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._dispatcher = None

    def reserve(self, team_id: int) -> Reservation[int]:
        """A place in the team's queue, taken before the submission is stored; raises TooManySubmissions."""
        try:
            return self._queue.reserve(team_id)
        except QueueFull as full:
            retry = min(300, max(1, math.ceil(self._seconds_each)))
            raise TooManySubmissions(team_id, full.limit, retry) from None

    def submit(self, reservation: Reservation[int], submission_id: int) -> None:
        """Queue a stored pending submission in the place reserved for it."""
        self._queue.put(reservation, submission_id)

    async def _team_of(self, submission_id: int) -> int:
        submission = await self._store.submissions.get(submission_id)
        session = await self._store.sessions.get(submission.session_id) if submission else None
        return session.team_id if session else 0

    async def _dispatch(self) -> None:
        in_progress = asyncio.Semaphore(MAX_IN_PROGRESS)
        while True:
            await in_progress.acquire()
            try:
                team_id, submission_id = await self._queue.get()
            except BaseException:
                in_progress.release()
                raise
            task = asyncio.create_task(self._judge_queued(team_id, submission_id, in_progress))
            self._judging.add(task)
            task.add_done_callback(self._judging.discard)

    async def _judge_queued(self, team_id: int, submission_id: int, in_progress: asyncio.Semaphore) -> None:
        started = time.monotonic()
        try:
            await self.judge_one(submission_id, team_id)
        except asyncio.CancelledError:
            raise
        except Exception:  # one broken submission must not stop the others
            log.exception("judging submission %d failed", submission_id)
        finally:
            self._queue.task_done(team_id)
            in_progress.release()
        self._seconds_each = 0.8 * self._seconds_each + 0.2 * (time.monotonic() - started)

    async def judge_one(self, submission_id: int, team_id: int = 0) -> None:
        """Judge one submission, store its outcome and problem state, announce both."""
        submission = await self._store.submissions.get(submission_id, full=True)
        if submission is None or submission.verdict != PENDING:
            return
        outcome = await self._outcome(submission, functools.partial(self._turns.turn, team_id))
        state = await self._store.submissions.record(submission, outcome)
        judged = dataclasses.replace(  # what record() stored: no need to read it back
            submission,
            verdict=outcome.verdict,
            score=outcome.score,
            time_ms=outcome.time_ms,
            memory=outcome.memory,
            failed_test=outcome.failed_test,
        )
        session_id, alias = submission.session_id, submission.problem_alias
        self._events.to_training(session_id, "SUBMISSION_VERDICT_RETRIEVED", submission_short(judged))
        if state is not None:
            self._events.to_training(
                session_id, "PROBLEM_STATUS_UPDATED", {"problemAlias": alias, "status": state.status}
            )
            self._events.to_training(
                session_id, "PROBLEM_ATTEMPTS_UPDATED", {"problemAlias": alias, "attempts": state.attempts}
            )
        log.info("submission %d on %s: %s", submission_id, alias, outcome.verdict)

    async def _outcome(self, submission: Submission, turn: Callable[[], AbstractAsyncContextManager[int]]) -> Outcome:
        session = await self._store.sessions.get(submission.session_id)
        contest = self._contests.get(session.contest_id) if session else None
        problem = contest.problem(submission.problem_alias) if contest else None
        if problem is None:
            # the package changed since the submission was accepted: say so rather than guess
            return Outcome(RUNTIME_ERROR, 0, 0, 0, 0, "problem is no longer available to the judge", [])
        task = JudgeTask(
            source=submission.source,
            compiler=submission.compiler,
            tests=problem.tests,
            time_limit=problem.time_limit,
            memory_limit=problem.memory_limit,
            float_tolerance=problem.float_tolerance,
        )
        try:
            report = await self._judge.judge(task, turn)
        except (JudgeError, ValueError) as exc:
            # the judge could not build or run this submission at all (a missing compiler, a validator
            # that does not build): the author sees why
            log.error("judge error on submission %d: %s", submission.id, exc)
            return judge_error_outcome(str(exc))
        if report.verdict == JUDGE_ERROR:  # the problem's validator failed on some test
            log.error("judge error on submission %d: %s", submission.id, report.judge_error)
            return judge_error_outcome(report.judge_error, report)
        return outcome_of(report)
