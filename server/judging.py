"""The judge service: a queue of submissions, JUDGE_WORKERS workers, verdicts stored and announced."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Protocol

from .contests.models import ContestCatalog
from .events import Publisher
from .judge.isolation import Readiness
from .judge.types import JudgeError, JudgeReport, JudgeTask
from .judge.verdicts import COMPILATION_ERROR, OK, PENDING, RUNTIME_ERROR
from .store import Store
from .store.submissions import Outcome, Submission
from .wire import submission_short

log = logging.getLogger(__name__)


class Judge(Protocol):
    """What the service needs of the sandboxed judge."""

    isolation: str
    readiness: Readiness

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
        checker_log=[
            {
                "sequenceNumber": t.sequence_number,
                "testName": t.test_name,
                "verdict": t.verdict,
                "runningTime": t.running_time,
                "memoryUsed": t.memory_used,
            }
            for t in report.tests
        ],
    )


class JudgeService:
    """Judges queued submissions in order with a fixed number of workers."""

    def __init__(self, store: Store, contests: ContestCatalog, events: Publisher, judge: Judge, workers: int) -> None:
        self._store = store
        self._contests = contests
        self._events = events
        self._judge = judge
        self._workers = workers
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

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
            self._queue.put_nowait(submission_id)
        if pending:
            log.info("%d pending submissions queued for judging again", len(pending))
        self._tasks = [asyncio.create_task(self._work(), name=f"judge-worker-{i}") for i in range(self._workers)]

    async def stop(self) -> None:
        """Stop the workers; a submission cut short stays pending and is judged after the next start."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    def submit(self, submission_id: int) -> None:
        """Queue a stored pending submission."""
        self._queue.put_nowait(submission_id)

    async def _work(self) -> None:
        while True:
            submission_id = await self._queue.get()
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

    async def _outcome(self, submission: Submission) -> Outcome:
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
            return outcome_of(await self._judge.judge(task))
        except (JudgeError, ValueError) as exc:
            # the judge could not build or run this submission at all (a missing compiler, say):
            # the author sees why, and CompilationError costs no penalty
            log.error("judge error on submission %d: %s", submission.id, exc)
            return Outcome(COMPILATION_ERROR, 0, 0, 0, 0, f"judge error: {exc}", [])
