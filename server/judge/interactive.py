"""Interactive problems: the submission and the problem's validator talk through two pipes, both sandboxed.

The validator (Kattis convention: ``validator input judge_answer feedback_dir
[flags]``) reads what the submission writes and writes what the submission
reads.  Each runs under its own uid, in its own cgroup and namespaces; the
server only holds the pipe ends until both are started.

The verdict, as the problem package format's tools decide it:

1. the submission exceeded its own limits (time, memory, idleness): that;
2. the validator broke its convention (not 42 or 43, crashed, its own
   limits): a judging error — unless it died writing to a submission that
   had already left (SIGPIPE), which is the submission's doing;
3. the submission ended first: its runtime error, else the validator's
   verdict;
4. the validator ended first: wrong answer if it said so; else the
   submission's runtime error (one killed by SIGPIPE went on writing after
   the validator was satisfied: wrong answer); else accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import verdicts
from .sandbox import Bind, Lease, Limits, RunResult, Sandbox, Started
from .validators import Judgement

OWN_LIMITS = (
    verdicts.TIME_LIMIT_EXCEEDED,
    verdicts.MEMORY_LIMIT_EXCEEDED,
    verdicts.IDLENESS_LIMIT_EXCEEDED,
    verdicts.OUTPUT_LIMIT_EXCEEDED,
)


@dataclass(frozen=True)
class Side:
    """One end of the conversation: what to run and how."""

    argv: Sequence[str]
    workdir: Path
    limits: Limits
    lease: Lease
    stderr: Path
    binds: Sequence[Bind] = ()


@dataclass(frozen=True)
class Exchange:
    """Both runs' measurements, and which ended first."""

    submission: RunResult
    validator: RunResult
    submission_first: bool


async def converse(sandbox: Sandbox, submission: Side, validator: Side) -> Exchange:
    """Run the submission and the validator connected stdin-to-stdout both ways; wait for both."""
    to_validator = os.pipe()  # the submission writes, the validator reads
    to_submission = os.pipe()  # the validator writes, the submission reads
    started: list[Started] = []
    try:
        started.append(await _start(sandbox, validator, stdin=to_validator[0], stdout=to_submission[1]))
        started.append(await _start(sandbox, submission, stdin=to_submission[0], stdout=to_validator[1]))
    except BaseException:
        for run in started:
            with contextlib.suppress(ProcessLookupError):
                run.proc.kill()
            await run.proc.wait()
        raise
    finally:
        for fd in (*to_validator, *to_submission):  # the launchers hold their own copies now
            os.close(fd)
    validator_task = asyncio.create_task(sandbox.finish(started[0]))
    submission_task = asyncio.create_task(sandbox.finish(started[1]))
    try:
        validator_result, submission_result = await asyncio.gather(validator_task, submission_task)
    except BaseException:
        for task in (validator_task, submission_task):
            task.cancel()
        await asyncio.gather(validator_task, submission_task, return_exceptions=True)
        raise
    # The launchers stamp when each program ended on the same monotonic clock.
    return Exchange(submission_result, validator_result, submission_result.ended_us <= validator_result.ended_us)


async def _start(sandbox: Sandbox, side: Side, *, stdin: int, stdout: int) -> Started:
    return await sandbox.start(
        side.argv,
        workdir=side.workdir,
        limits=side.limits,
        lease=side.lease,
        stdin=stdin,
        stdout=stdout,
        stderr=side.stderr,
        binds=side.binds,
    )


def interactive_verdict(exchange: Exchange, submission_verdict: str | None, judgement: Judgement) -> str:
    """The test's verdict from both runs (see the module docstring for the rules, in order)."""
    if submission_verdict in OWN_LIMITS:
        return submission_verdict
    if judgement.verdict == verdicts.JUDGE_ERROR:
        if exchange.validator.signal == signal.SIGPIPE and exchange.submission_first:
            return submission_verdict or verdicts.WRONG_ANSWER
        return verdicts.JUDGE_ERROR
    if exchange.submission_first:
        return submission_verdict or judgement.verdict
    if judgement.verdict == verdicts.WRONG_ANSWER:
        return verdicts.WRONG_ANSWER
    if submission_verdict is not None and exchange.submission.signal == signal.SIGPIPE:
        return verdicts.WRONG_ANSWER
    return submission_verdict or judgement.verdict
