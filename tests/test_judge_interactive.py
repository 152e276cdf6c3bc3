"""Interactive problems: the submission and the validator connected both ways, both sandboxed."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from server.judge import Judge, JudgeTask, TestCase, verdicts
from server.judge.interactive import Exchange, interactive_verdict
from server.judge.sandbox import RunResult
from server.judge.types import VALIDATION_INTERACTIVE, ValidatorSource
from server.judge.validators import Judgement

from .support.judge import MIB, judge_fixture

GUESS = Path(__file__).parent / "judge_problems" / "guess"
INTERACTOR = ValidatorSource(GUESS / "interactor", "kattis", "cpp", time_limit=2, memory_limit=256 * MIB)

BINARY_SEARCH = b"""
n = int(input())
lo, hi = 1, n
while True:
    mid = (lo + hi) // 2
    print("?", mid, flush=True)
    reply = input().strip()
    if reply == "=":
        break
    if reply == "<":
        hi = mid - 1
    else:
        lo = mid + 1
"""
BINARY_SEARCH_CPP = b"""
#include <cstdio>
int main() {
    long long n, lo = 1, hi;
    std::scanf("%lld", &n);
    hi = n;
    for (;;) {
        long long mid = (lo + hi) / 2;
        std::printf("? %lld\\n", mid);
        std::fflush(stdout);
        char reply[4];
        std::scanf("%3s", reply);
        if (reply[0] == '=') return 0;
        if (reply[0] == '<') hi = mid - 1; else lo = mid + 1;
    }
}
"""
# Asks 1, 2, 3, ...: more than 10 questions for most secrets.
LINEAR = b"""
n = int(input())
for y in range(1, n + 1):
    print("?", y, flush=True)
    if input().strip() == "=":
        break
"""
# Forgets to flush (C's stdout is fully buffered on a pipe): both sides wait until the wall clock ends it.
UNFLUSHED = b"""
#include <stdio.h>
int main(void) {
    long n;
    char reply[4];
    scanf("%ld", &n);
    printf("? 1\\n");
    scanf("%3s", reply);
    return 0;
}
"""
CRASHES = b"""
n = int(input())
print("?", n // 2, flush=True)
input()
raise SystemExit(3)
"""
SPINS = b"""
n = int(input())
while True:
    pass
"""


judge = judge_fixture()


def task(source: bytes, compiler: str = "python3_docker", time_limit: float = 1.0) -> JudgeTask:
    tests = [TestCase(f"secret/{i}", GUESS / "data" / f"{i}.in", GUESS / "data" / f"{i}.ans") for i in (1, 2, 3)]
    return JudgeTask(
        source, compiler, tests, time_limit, 64 * MIB, validation=VALIDATION_INTERACTIVE, validator=INTERACTOR
    )


@pytest.mark.parametrize(("source", "compiler"), [(BINARY_SEARCH, "python3_docker"), (BINARY_SEARCH_CPP, "gcc_cpp20")])
async def test_a_correct_conversation_is_accepted(judge: Judge, source: bytes, compiler: str) -> None:
    report = await judge.judge(task(source, compiler))
    assert report.verdict == verdicts.OK, report
    assert [t.verdict for t in report.tests] == [verdicts.OK] * 3
    assert all(t.running_time < 1000 for t in report.tests)


async def test_too_many_questions_is_a_wrong_answer_with_the_validators_message(judge: Judge) -> None:
    report = await judge.judge(task(LINEAR))
    assert report.verdict == verdicts.WRONG_ANSWER and report.failed_test == 1  # secret 37 needs 37 questions
    assert "not found in 10 guesses" in report.tests[0].message


async def test_a_submission_that_never_flushes_is_idle(judge: Judge) -> None:
    report = await judge.judge(task(UNFLUSHED, "gcc_c17", time_limit=0.5))
    assert report.verdict == verdicts.IDLENESS_LIMIT_EXCEEDED


async def test_the_submissions_own_failures_come_first(judge: Judge) -> None:
    assert (await judge.judge(task(CRASHES))).verdict == verdicts.RUNTIME_ERROR
    report = await judge.judge(task(SPINS, time_limit=0.5))
    # (its time is at least the limit, unless a loaded machine starved it twice: not asserted here)
    assert report.verdict == verdicts.TIME_LIMIT_EXCEEDED


def ran(exit_code: int | None = 0, sig: int | None = None) -> RunResult:
    return RunResult(exit_code, sig, 5, 5, MIB, False)


OK, WA, ERR = Judgement(verdicts.OK), Judgement(verdicts.WRONG_ANSWER), Judgement(verdicts.JUDGE_ERROR)


@pytest.mark.parametrize(
    ("submission", "validator", "submission_first", "own", "judgement", "expected"),
    [
        # the submission's own limits first, whatever the validator said
        (ran(None, 9), ran(43), False, verdicts.TIME_LIMIT_EXCEEDED, WA, verdicts.TIME_LIMIT_EXCEEDED),
        (ran(None, 9), ran(42), True, verdicts.MEMORY_LIMIT_EXCEEDED, OK, verdicts.MEMORY_LIMIT_EXCEEDED),
        # the validator out of its convention
        (ran(0), ran(1), False, None, ERR, verdicts.JUDGE_ERROR),
        # ... unless it died writing to a submission that had left
        (ran(0), ran(None, signal.SIGPIPE), True, None, ERR, verdicts.WRONG_ANSWER),
        (ran(1), ran(None, signal.SIGPIPE), True, verdicts.RUNTIME_ERROR, ERR, verdicts.RUNTIME_ERROR),
        # the submission ended first: its crash, else the validator's verdict
        (ran(1), ran(43), True, verdicts.RUNTIME_ERROR, WA, verdicts.RUNTIME_ERROR),
        (ran(0), ran(42), True, None, OK, verdicts.OK),
        (ran(0), ran(43), True, None, WA, verdicts.WRONG_ANSWER),
        # the validator ended first: its wrong answer wins; a crash after its accept is the submission's
        (ran(None, signal.SIGPIPE), ran(43), False, verdicts.RUNTIME_ERROR, WA, verdicts.WRONG_ANSWER),
        (ran(1), ran(42), False, verdicts.RUNTIME_ERROR, OK, verdicts.RUNTIME_ERROR),
        (ran(None, signal.SIGPIPE), ran(42), False, verdicts.RUNTIME_ERROR, OK, verdicts.WRONG_ANSWER),
        (ran(0), ran(42), False, None, OK, verdicts.OK),
    ],
)
def test_verdict_rules(
    submission: RunResult,
    validator: RunResult,
    submission_first: bool,
    own: str | None,
    judgement: Judgement,
    expected: str,
) -> None:
    exchange = Exchange(submission, validator, submission_first)
    assert interactive_verdict(exchange, own, judgement) == expected


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [
        (b"BrokenPipeError: [Errno 32] Broken pipe", verdicts.WRONG_ANSWER),  # CPython ignores SIGPIPE
        (b"EOFError: EOF when reading a line", verdicts.WRONG_ANSWER),  # read past the validator's end
        (b"Exception in thread main java.util.NoSuchElementException", verdicts.WRONG_ANSWER),
        (b"ZeroDivisionError: division by zero", verdicts.RUNTIME_ERROR),  # a crash of its own
    ],
)
def test_a_failure_caused_by_the_validator_leaving_is_its_verdict(stderr: bytes, expected: str) -> None:
    # The stamps say "the submission first" (within the window), but the submission failed on the validator's
    # absence: the validator certainly ended first, with its wrong answer.
    exchange = Exchange(ran(1), ran(43), True)
    assert interactive_verdict(exchange, verdicts.RUNTIME_ERROR, WA, stderr) == expected
