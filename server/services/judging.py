"""The judge service: a queue of submissions, JUDGE_WORKERS workers, verdicts stored and announced."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Protocol

from ..contests.models import ContestCatalog
from ..domain.bus import EventBus
from ..domain.events import ProblemProgressed, SubmissionJudged
from ..domain.records import Outcome, ProblemState, Submission, TestRecord
from ..judge.types import JudgeError, JudgeReport, JudgeTask
from ..judge.verdicts import COMPILATION_ERROR, OK, PENDING, RUNTIME_ERROR
from ..store import Store

log = logging.getLogger(__name__)

RETRY_FIRST = 0.5  # seconds before a failed verdict write is tried again; doubled each time up to RETRY_MAX
RETRY_MAX = 30.0


class JudgeBackend(Protocol):
    """What the service needs of the sandboxed judge (server.judge.Judge)."""

    isolation: str

    async def judge(self, task: JudgeTask) -> JudgeReport:
        """Compile and run a task."""
        ...


def outcome_of(report: JudgeReport) -> Outcome:
    """The stored outcome of a judge report."""
    return Outcome(
        verdict=report.verdict,
        score=1 if report.verdict == OK else 0,
        time_ms=report.time,
        memory=report.memory,
        failed_test=report.failed_test,
        compile_log=report.compile_log,
        checker_log=tuple(
            TestRecord(t.sequence_number, t.test_name, t.verdict, t.running_time, t.memory_used) for t in report.tests
        ),
    )


def _judge_failure(message: str) -> Outcome:
    return Outcome(COMPILATION_ERROR, 0, 0, 0, 0, message, ())


class JudgeService:
    """Judges queued submissions in order with a fixed number of workers."""

    def __init__(
        self,
        store: Store,
        contests: ContestCatalog,
        bus: EventBus,
        backend: Callable[[], JudgeBackend],
        workers: int,
        on_wait: Callable[[float], None] | None = None,
    ) -> None:
        self._store = store
        self._contests = contests
        self._bus = bus
        self._backend = backend  # builds the sandbox (blocking: it compiles and probes its launcher)
        self._judge: JudgeBackend | None = None
        self._workers = workers
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self.write_retries = 0  # verdict writes that failed and were tried again
        self._on_wait = on_wait  # seconds a submission waited in the queue, for /metrics
        self._queued_at: dict[int, float] = {}

    @property
    def isolation(self) -> str:
        """What the sandbox isolates, as logged at start."""
        return self._judge.isolation if self._judge is not None else "not started"

    async def start(self) -> None:
        """Build the sandbox off the loop, queue what a crash or shutdown left pending, start the workers."""
        self._judge = await asyncio.to_thread(self._backend)
        log.info("judge isolation: %s", self._judge.isolation)
        pending = await self._store.submissions.pending_ids()
        for submission_id in pending:
            self.submit(submission_id)
        if pending:
            log.info("%d pending submissions queued for judging again", len(pending))
        self._tasks = [asyncio.create_task(self._work(), name=f"judge-worker-{i}") for i in range(self._workers)]

    async def stop(self) -> None:
        """Stop the workers; a submission cut short stays pending and is judged after the next start."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def run(self, task: JudgeTask) -> JudgeReport:
        """Judge one task directly (time-limit derivation runs a package's accepted submissions this way)."""
        if self._judge is None:
            raise JudgeError("the judge has not started")
        return await self._judge.judge(task)

    @property
    def queue_length(self) -> int:
        """Submissions waiting for a worker."""
        return self._queue.qsize()

    def submit(self, submission_id: int) -> None:
        """Queue a stored pending submission."""
        self._queued_at[submission_id] = time.monotonic()
        self._queue.put_nowait(submission_id)

    async def _work(self) -> None:
        while True:
            submission_id = await self._queue.get()
            queued_at = self._queued_at.pop(submission_id, None)
            if queued_at is not None and self._on_wait is not None:
                self._on_wait(time.monotonic() - queued_at)
            try:
                await self.judge_one(submission_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # one broken submission must not stop the worker
                log.exception("judging submission %d failed", submission_id)
            finally:
                self._queue.task_done()

    async def judge_one(self, submission_id: int) -> None:
        """Judge one submission, store its outcome and problem state, announce both."""
        submission = await self._store.submissions.get(submission_id, full=True)
        if submission is None or submission.verdict != PENDING:
            return
        outcome = await self._outcome(submission)
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

    async def _outcome(self, submission: Submission) -> Outcome:
        session = await self._store.sessions.get(submission.session_id)
        contest = self._contests.get(session.contest_id) if session else None
        problem = contest.problem(submission.problem_alias) if contest else None
        if problem is None:
            # the package changed since the submission was accepted: say so rather than guess
            return Outcome(RUNTIME_ERROR, 0, 0, 0, 0, "problem is no longer available to the judge", ())
        task = JudgeTask(
            source=submission.source,
            compiler=submission.compiler,
            tests=problem.tests,
            time_limit=problem.time_limit,
            memory_limit=problem.memory_limit,
            validation=problem.validation,
            validator=problem.validator,
        )
        assert self._judge is not None  # workers run only after start()
        try:
            return outcome_of(await self._judge.judge(task))
        except (JudgeError, ValueError) as exc:
            # the judge could not build or run this submission at all (a missing compiler, say):
            # the author sees why, and CompilationError costs no penalty
            log.error("judge error on submission %d: %s", submission.id, exc)
            return _judge_failure(f"judge error: {exc}")
