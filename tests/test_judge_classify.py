"""Tests for mapping measured runs to verdicts."""

import dataclasses
import signal

import pytest

from server.judge import verdicts
from server.judge.classify import RunLimits, classify, starved
from server.judge.sandbox import RunResult

MIB = 1 << 20
LIMITS = RunLimits(time_ms=1000, memory=64 * MIB, output=64 * MIB)


def run(
    exit_code: int | None = 0,
    sig: int | None = None,
    cpu: int = 10,
    rss: int = 4 * MIB,
    timed_out: bool = False,
    oom: int = 0,
    wait: int = 0,
) -> RunResult:
    return RunResult(exit_code, sig, cpu, cpu + 5, rss, timed_out, oom_kills=oom, wait_ms=wait, accounted=True)


CASES = [
    ("clean exit is compared", run(), 0, b"", None),
    ("exactly at the time limit", run(cpu=1000), 0, b"", None),
    ("exit code", run(exit_code=3), 0, b"", verdicts.RUNTIME_ERROR),
    ("segfault", run(None, signal.SIGSEGV), 0, b"", verdicts.RUNTIME_ERROR),
    ("abort", run(None, signal.SIGABRT), 0, b"", verdicts.RUNTIME_ERROR),
    ("cpu over limit, finished", run(cpu=1001), 0, b"", verdicts.TIME_LIMIT_EXCEEDED),
    ("profiling timer", run(None, signal.SIGPROF, cpu=1021), 0, b"", verdicts.TIME_LIMIT_EXCEEDED),
    ("rlimit cpu", run(None, signal.SIGXCPU, cpu=2000), 0, b"", verdicts.TIME_LIMIT_EXCEEDED),
    ("timer fired a tick early", run(None, signal.SIGPROF, cpu=1000), 0, b"", verdicts.TIME_LIMIT_EXCEEDED),
    ("wall clock, idle", run(None, signal.SIGKILL, cpu=3, timed_out=True), 0, b"", verdicts.IDLENESS_LIMIT_EXCEEDED),
    ("wall clock, busy", run(None, signal.SIGKILL, cpu=1500, timed_out=True), 0, b"", verdicts.TIME_LIMIT_EXCEEDED),
    ("wall clock, starved", run(None, signal.SIGKILL, cpu=600, timed_out=True), 0, b"", verdicts.TIME_LIMIT_EXCEEDED),
    (
        "wall clock, mostly idle",
        run(None, signal.SIGKILL, cpu=400, timed_out=True),
        0,
        b"",
        verdicts.IDLENESS_LIMIT_EXCEEDED,
    ),
    ("rss over limit, finished", run(rss=65 * MIB), 0, b"", verdicts.MEMORY_LIMIT_EXCEEDED),
    # per-process limits only: an allocation the address-space cap refused
    (
        "rss near limit, died, per process",
        dataclasses.replace(run(None, signal.SIGABRT, rss=60 * MIB), accounted=False),
        0,
        b"",
        verdicts.MEMORY_LIMIT_EXCEEDED,
    ),
    # a cgroup's peak counts the page cache (the output written): without an OOM kill, not memory
    ("cgroup peak near limit, died", run(None, signal.SIGABRT, rss=60 * MIB), 0, b"", verdicts.RUNTIME_ERROR),
    ("rss near limit, fine", run(rss=60 * MIB), 0, b"", None),
    ("bad_alloc", run(None, signal.SIGABRT), 0, b"what():  std::bad_alloc\n", verdicts.MEMORY_LIMIT_EXCEEDED),
    ("MemoryError", run(1), 0, b"Traceback ...\nMemoryError\n", verdicts.MEMORY_LIMIT_EXCEEDED),
    ("other stderr", run(1), 0, b"ValueError: x\n", verdicts.RUNTIME_ERROR),
    ("SIGXFSZ", run(None, signal.SIGXFSZ), 64 * MIB, b"", verdicts.OUTPUT_LIMIT_EXCEEDED),
    ("output at the cap", run(1), 64 * MIB, b"OSError: [Errno 27] File too large", verdicts.OUTPUT_LIMIT_EXCEEDED),
    ("output wins over time", run(None, signal.SIGXFSZ, cpu=5000), 64 * MIB, b"", verdicts.OUTPUT_LIMIT_EXCEEDED),
    ("memory wins over time", run(cpu=5000, rss=100 * MIB), 0, b"", verdicts.MEMORY_LIMIT_EXCEEDED),
    # the cgroup's OOM killer took a helper while the main process answered
    ("oom kill, clean exit", run(rss=64 * MIB, oom=1), 0, b"", verdicts.MEMORY_LIMIT_EXCEEDED),
    ("oom kill, killed", run(None, signal.SIGKILL, rss=64 * MIB, oom=2), 0, b"", verdicts.MEMORY_LIMIT_EXCEEDED),
    ("JVM OutOfMemoryError", run(1), 0, b"java.lang.OutOfMemoryError: Java heap space", verdicts.MEMORY_LIMIT_EXCEEDED),
    # idleness on the run's own CPU share: waiting for a CPU is not idling
    (
        "wall clock, waited for a CPU",
        run(None, signal.SIGKILL, cpu=100, timed_out=True, wait=3000),
        0,
        b"",
        verdicts.TIME_LIMIT_EXCEEDED,
    ),
    (
        "wall clock, asleep",
        run(None, signal.SIGKILL, cpu=100, timed_out=True, wait=50),
        0,
        b"",
        verdicts.IDLENESS_LIMIT_EXCEEDED,
    ),
]


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (run(None, signal.SIGKILL, cpu=100, timed_out=True, wait=3000), True),  # starved: run again
        (run(None, signal.SIGKILL, cpu=100, timed_out=True, wait=50), False),  # asleep
        (run(None, signal.SIGKILL, cpu=1500, timed_out=True, wait=3000), False),  # over its time anyway
        (run(None, signal.SIGKILL, cpu=100, timed_out=False, wait=3000), False),  # not stopped by the clock
    ],
)
def test_starved(result: RunResult, expected: bool) -> None:
    assert starved(result, LIMITS) is expected


@pytest.mark.parametrize(("what", "result", "output_size", "stderr", "expected"), CASES, ids=[c[0] for c in CASES])
def test_classify(what: str, result: RunResult, output_size: int, stderr: bytes, expected: str | None) -> None:
    assert classify(result, LIMITS, output_size, stderr) == expected
