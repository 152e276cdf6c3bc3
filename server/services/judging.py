"""The judge service: a fair queue of submissions, JUDGE_WORKERS sandbox runs at once, verdicts stored and announced.

Fairness (server/fairqueue.py): each team's submissions are judged one at a
time in their order, the teams in turn, and every sandbox run (a compile, a
test) takes one of JUDGE_WORKERS turns granted round-robin between teams, so
another team's backlog delays a submission by at most one run.  A team may
have JUDGE_QUEUE_PER_TEAM submissions waiting or being judged; more are
refused (TooManySubmissions, 429 with Retry-After) before anything is stored.
The judge refuses to judge at all when JUDGE_ISOLATION does not accept the
sandbox it found (JudgeNotReady, 503).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import math
import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from ..contests.models import ContestCatalog, task_for
from ..domain.bus import EventBus
from ..domain.errors import JudgeNotReady, TooManySubmissions
from ..domain.events import ProblemProgressed, SubmissionJudged
from ..domain.records import Outcome, ProblemState, Submission, TestRecord
from ..fairqueue import FairQueue, QueueFull, Reservation, RunTurns
from ..judge.isolation import Readiness
from ..judge.types import JudgeError, JudgeReport, JudgeTask
from ..judge.verdicts import COMPILATION_ERROR, JUDGE_ERROR, OK, PENDING, RUNTIME_ERROR
from ..store import Store

log = logging.getLogger(__name__)

# Submissions being judged at once (each waits for run turns): every active team
# up to this many; beyond it a new team waits for a whole submission.
MAX_IN_PROGRESS = 64
# Seconds a submission takes, before the first one was measured (for Retry-After).
FIRST_ESTIMATE = 10.0
RETRY_FIRST = 0.5  # seconds before a failed verdict write is tried again; doubled each time up to RETRY_MAX
RETRY_MAX = 30.0
# The key whose turns a package's own runs take (time-limit derivation), apart from every team.
SYSTEM = -1
Turn = Callable[[], AbstractAsyncContextManager[int]]


class JudgeBackend(Protocol):
    """What the service needs of the sandboxed judge (server.judge.Judge)."""

    isolation: str
    readiness: Readiness

    async def judge(self, task: JudgeTask, turn: Turn | None = None) -> JudgeReport:
        """Compile and run a task, each sandbox run inside a `turn()`."""
        ...

    def close(self) -> None:
        """Remove what the judge set up (cgroups, work folders)."""
        ...


def judge_error_outcome(message: str, report: JudgeReport | None = None) -> Outcome:
    """How a judging error is stored: the one place that decides what a team sees when the judge failed.

    Today: CompilationError (it costs no penalty) with "judge error: ..." in the compile log and the tests
    run so far in the checker log; never WrongAnswer or another verdict the team did not earn.
    """
    tests = outcome_of(report).checker_log if report is not None else ()
    return Outcome(COMPILATION_ERROR, 0, 0, 0, 0, f"judge error: {message}", tests)


def outcome_of(report: JudgeReport) -> Outcome:
    """The stored outcome of a judge report (a JUDGE_ERROR report goes through judge_error_outcome)."""
    return Outcome(
        verdict=report.verdict,
        score=1 if report.verdict == OK else 0,
        time_ms=report.time,
        memory=report.memory,
        failed_test=report.failed_test,
        compile_log=report.compile_log,
        checker_log=tuple(
            TestRecord(t.sequence_number, t.test_name, t.verdict, t.running_time, t.memory_used, t.message)
            for t in report.tests
        ),
    )


class JudgeService:
    """Judges queued submissions fairly between teams, `workers` sandbox runs at a time."""

    def __init__(
        self,
        store: Store,
        contests: ContestCatalog,
        bus: EventBus,
        backend: Callable[[], JudgeBackend],
        workers: int,
        per_team: int = 10,
        on_wait: Callable[[float], None] | None = None,
    ) -> None:
        self._store = store
        self._contests = contests
        self._bus = bus
        self._backend = backend  # builds the sandbox (blocking: it compiles and probes its launcher)
        self._judge: JudgeBackend | None = None
        self._queue: FairQueue[int, int] = FairQueue(per_team)  # team id -> submission ids
        self._turns: RunTurns[int] = RunTurns(workers)
        self._dispatcher: asyncio.Task[None] | None = None
        self._judging: set[asyncio.Task[None]] = set()
        self._seconds_each = FIRST_ESTIMATE  # moving average of a submission's judging time
        self.write_retries = 0  # verdict writes that failed and were tried again, for /metrics
        self._on_wait = on_wait  # seconds a submission waited in the queue, for /metrics
        self._queued_at: dict[int, float] = {}

    @property
    def sandbox(self) -> JudgeBackend | None:
        """The sandboxed judge, once prepare() built it."""
        return self._judge

    @property
    def isolation(self) -> str:
        """What the sandbox isolates, as logged at start."""
        return self._judge.isolation if self._judge is not None else "not started"

    @property
    def ready(self) -> bool:
        """Whether submissions are judged here (JUDGE_ISOLATION accepts the sandbox the judge found)."""
        return self._judge is not None and self._judge.readiness.ready

    @property
    def unavailable_reason(self) -> str:
        """Why submissions are refused, when they are."""
        return self._judge.readiness.reason if self._judge is not None else "the judge has not started"

    def health(self) -> dict[str, object]:
        """The judge's part of GET /health/ping-application."""
        if self._judge is None:
            return {"isolation": "unavailable", "ready": False, "mode": "unknown", "missing": []}
        readiness = self._judge.readiness
        return {
            "isolation": readiness.level,
            "ready": readiness.ready,
            "mode": readiness.mode,
            "missing": list(readiness.missing),
        }

    async def prepare(self) -> None:
        """Build the sandbox off the loop; JudgeUnavailable when JUDGE_ISOLATION=strict and a layer is missing.

        Done before the database opens, so a refused start leaves nothing open behind it.
        """
        self._judge = await asyncio.to_thread(self._backend)
        log.info("judge isolation: %s", self._judge.isolation)
        log.info("judge readiness (JUDGE_ISOLATION=%s): %s", self._judge.readiness.mode, self._judge.readiness.reason)

    async def close(self) -> None:
        """Remove the sandbox's cgroups and work folders."""
        if self._judge is not None:
            await asyncio.to_thread(self._judge.close)

    async def start(self) -> None:
        """Queue what a crash or shutdown left pending, then start judging (prepare() first)."""
        if not self.ready:
            # Left pending: a later start with a working sandbox judges them.
            log.error("%s", self.unavailable_reason)
            return
        pending = await self._store.submissions.pending()
        for submission_id, team_id in pending:
            # accepted before the restart: queued whatever the cap says
            self._queue.put_unchecked(team_id, submission_id)
            self._queued_at[submission_id] = time.monotonic()
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

    async def run(self, task: JudgeTask) -> JudgeReport:
        """Judge one task directly (time-limit derivation runs a package's accepted submissions this way)."""
        if self._judge is None:
            raise JudgeError("the judge has not started")
        return await self._judge.judge(task, functools.partial(self._turns.turn, SYSTEM))

    def reserve(self, team_id: int) -> Reservation[int]:
        """A place in the team's queue, taken before the submission is stored.

        JudgeNotReady when this judge does not judge; TooManySubmissions when the team already has its
        JUDGE_QUEUE_PER_TEAM submissions waiting or being judged.
        """
        if not self.ready:
            raise JudgeNotReady(self.unavailable_reason)
        try:
            return self._queue.reserve(team_id)
        except QueueFull as full:
            retry = min(300, max(1, math.ceil(self._seconds_each)))
            raise TooManySubmissions(full.limit, retry) from None

    def submit(self, reservation: Reservation[int], submission_id: int) -> None:
        """Queue a stored pending submission in the place reserved for it."""
        self._queue.put(reservation, submission_id)
        self._queued_at[submission_id] = time.monotonic()

    @property
    def queue_length(self) -> int:
        """Submissions queued and not yet taken for judging."""
        return len(self._queue)

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
        queued_at = self._queued_at.pop(submission_id, None)
        if queued_at is not None and self._on_wait is not None:
            self._on_wait(started - queued_at)
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
        try:
            outcome = await self._outcome(submission, functools.partial(self._turns.turn, team_id))
        except Exception as exc:  # a fault nobody foresaw: the submission still ends, never "No report"
            log.exception("judging submission %d failed", submission_id)
            outcome = judge_error_outcome(f"unexpected {type(exc).__name__} (the server log has the details)")
        state = await self._record(submission, outcome)
        judged = dataclasses.replace(  # what record() stored, without the source: no need to read it back
            submission,
            verdict=outcome.verdict,
            score=outcome.score,
            time_ms=outcome.time_ms,
            memory=outcome.memory,
            failed_test=outcome.failed_test,
            source=b"",
        )
        self._bus.publish(SubmissionJudged(judged))
        if state is not None:
            self._bus.publish(
                ProblemProgressed(submission.session_id, submission.problem_alias, state.status, state.attempts)
            )
        log.info("submission %d on %s: %s", submission_id, submission.problem_alias, outcome.verdict)

    async def _record(self, submission: Submission, outcome: Outcome) -> ProblemState | None:
        """Store a verdict, retrying while the database refuses writes (a full disk) until it lands.

        Left pending, the submission would show "No report" until a restart judged it again. The write
        is idempotent (it updates a pending submission only), so a retry never records a verdict twice.
        Cancelled at shutdown, the submission stays pending and is judged again after the next start.
        """
        delay = RETRY_FIRST
        while True:
            try:
                return await self._store.submissions.record(submission, outcome)
            except sqlite3.OperationalError as exc:
                if delay == RETRY_FIRST:
                    log.error("verdict of submission %d not stored (%s); retrying until it is", submission.id, exc)
                self.write_retries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    async def _outcome(self, submission: Submission, turn: Turn) -> Outcome:
        session = await self._store.sessions.get(submission.session_id)
        contest = self._contests.get(session.contest_id) if session else None
        problem = contest.problem(submission.problem_alias) if contest else None
        if problem is None:
            # the package changed since the submission was accepted: say so rather than guess
            return Outcome(RUNTIME_ERROR, 0, 0, 0, 0, "problem is no longer available to the judge", ())
        assert self._judge is not None  # the dispatcher runs only after start()
        try:
            report = await self._judge.judge(task_for(problem, submission.source, submission.compiler), turn)
        except (JudgeError, ValueError) as exc:
            # the judge could not build or run this submission at all (a missing compiler, a validator
            # that does not build): the author sees why
            log.error("judge error on submission %d: %s", submission.id, exc)
            return judge_error_outcome(str(exc))
        if report.verdict == JUDGE_ERROR:  # the problem's validator failed on some test
            log.error("judge error on submission %d: %s", submission.id, report.judge_error)
            return judge_error_outcome(report.judge_error, report)
        return outcome_of(report)
