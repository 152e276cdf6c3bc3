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
   verdict.  "First" is causal where it can be: a submission that failed on
   the validator's absence (SIGPIPE; EPIPE or end of input reported by its
   runtime: BrokenPipeError, EOFError, NoSuchElementException) outlived it;
   else the two ends' stamps decide, and within 10 ms of each other (each
   end is stamped a scheduling delay after the fact) the submission counts
   as first;
4. the validator ended first: wrong answer if it said so; else the
   submission's runtime error (one that failed on the validator's absence
   went on talking after it was satisfied: wrong answer); else accepted.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import verdicts
from .sandbox import Bind, Lease, Limits, RunResult, Sandbox, Started
from .validators import Judgement

# Each side's end is stamped by its own init as it reaps the program, a scheduling delay after the
# exit (measured up to ~5 ms on a loaded 2-core machine).  Within this window the order is unknown
# and the submission is taken to have ended first: a validator that reacts to the submission's
# crash in microseconds must not turn that crash into its own wrong answer.
SAME_TIME_US = 10_000

# What a submission's runtime reports when the validator has left: it wrote into the closed pipe
# (EPIPE, where the runtime ignores SIGPIPE: CPython) or read past its end (EOF: nothing else
# can close a submission's stdin in an interactive problem).
AFTER_THE_VALIDATOR = (b"BrokenPipeError", b"Broken pipe", b"EPIPE", b"EOFError", b"NoSuchElementException")
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
            await sandbox.stop(run)
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
    # Each side's init stamps when its program ended, on the same monotonic clock.
    first = submission_result.ended_us <= validator_result.ended_us + SAME_TIME_US
    return Exchange(submission_result, validator_result, first)


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


def _after_the_validator(result: RunResult, stderr_tail: bytes) -> bool:
    # SIGPIPE (C, C++), or the runtime's report of a closed pipe or of the end of its input.
    return result.signal == signal.SIGPIPE or any(m in stderr_tail for m in AFTER_THE_VALIDATOR)


def interactive_verdict(
    exchange: Exchange, submission_verdict: str | None, judgement: Judgement, submission_stderr: bytes = b""
) -> str:
    """The test's verdict from both runs (see the module docstring for the rules, in order)."""
    if submission_verdict in OWN_LIMITS:
        return submission_verdict
    if judgement.verdict == verdicts.JUDGE_ERROR:
        # SIGPIPE: it wrote to a submission that had already gone, which is the submission's doing.
        if exchange.validator.signal == signal.SIGPIPE:
            return submission_verdict or verdicts.WRONG_ANSWER
        return verdicts.JUDGE_ERROR
    # A submission that failed on the validator's absence certainly outlived it, whatever the stamps say.
    after = _after_the_validator(exchange.submission, submission_stderr)
    validator_first = after or not exchange.submission_first
    if not validator_first:
        return submission_verdict or judgement.verdict
    if judgement.verdict == verdicts.WRONG_ANSWER:
        return verdicts.WRONG_ANSWER
    if submission_verdict is not None and after:
        return verdicts.WRONG_ANSWER  # it went on talking after the validator was satisfied
    return submission_verdict or judgement.verdict
