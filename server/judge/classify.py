"""Map what the sandbox measured for one test run to a verdict."""

import signal
from dataclasses import dataclass

from . import verdicts
from .sandbox import Limits, RunResult

# A failed run (measured per process) whose peak memory came this close to the
# limit most likely died of an allocation the address-space cap refused.
MEMORY_NEAR = 0.9
# Runtime messages that mean "an allocation failed" (CPython, libstdc++, the JVM).
OUT_OF_MEMORY_MARKERS = (b"MemoryError", b"std::bad_alloc", b"java.lang.OutOfMemoryError")


@dataclass(frozen=True)
class RunLimits:
    """The limits a run is judged against (not the enforcement caps)."""

    time_ms: int
    memory: int  # bytes
    output: int  # bytes


def _busy_ms(result: RunResult) -> int:
    # Running or waiting for a CPU: what the program wanted, as opposed to
    # sleeping or blocking on a read that never comes.
    return result.cpu_ms + result.wait_ms


def starved(result: RunResult, limits: RunLimits) -> bool:
    """Killed at the wall clock while it mostly waited for a CPU the machine did not give it.

    The run's own CPU share decides, not the wall clock: a neighbour's (or the
    machine's) load is not the program's fault, so the judge runs the test again.
    """
    return (
        result.timed_out
        and result.cpu_ms < limits.time_ms
        and result.wait_ms > result.cpu_ms
        and _busy_ms(result) * 2 >= limits.time_ms
    )


def classify(result: RunResult, limits: RunLimits, output_size: int, stderr_tail: bytes = b"") -> str | None:
    """The verdict of a run, or None when the output still has to be compared."""
    if result.signal == signal.SIGXFSZ or output_size >= limits.output:
        return verdicts.OUTPUT_LIMIT_EXCEEDED
    # The cgroup's OOM killer fired: some process of the tree (not always the
    # main one) was killed at the memory limit.
    if result.oom_kills > 0 or result.peak_rss > limits.memory:
        return verdicts.MEMORY_LIMIT_EXCEEDED
    # SIGPROF and SIGXCPU come from the CPU-time limits themselves; the
    # profiling timer and the accounting can disagree by a tick, so trust the signal.
    if result.cpu_ms > limits.time_ms or result.signal in (signal.SIGPROF, signal.SIGXCPU):
        return verdicts.TIME_LIMIT_EXCEEDED
    if result.timed_out:
        # Killed by the wall clock.  Mostly neither running nor waiting to run
        # (sleep, a blocked read) is idleness; a busy program starved of CPU
        # (twice: the judge reran it) is still a time limit.
        if _busy_ms(result) * 2 < limits.time_ms:
            return verdicts.IDLENESS_LIMIT_EXCEEDED
        return verdicts.TIME_LIMIT_EXCEEDED
    if not result.success:
        # Only per-process measurements: a cgroup reports an OOM kill when memory ran out, and its
        # peak counts the page cache too (a big output written), which is no allocation refused.
        near = not result.accounted and result.peak_rss >= MEMORY_NEAR * limits.memory
        if near or any(m in stderr_tail for m in OUT_OF_MEMORY_MARKERS):
            return verdicts.MEMORY_LIMIT_EXCEEDED
        return verdicts.RUNTIME_ERROR
    return None


def why_stopped(result: RunResult, limits: Limits) -> str | None:
    """Why the sandbox stopped a helper run (a compiler, a validator), or None when it ended by itself."""
    if result.timed_out or result.cpu_ms > limits.cpu_time * 1000:
        return f"time limit exceeded ({limits.cpu_time:g} s of CPU, {limits.wall_time:g} s in all)"
    if result.oom_kills or (result.accounted and result.peak_rss >= limits.memory):
        return f"memory limit exceeded ({limits.memory >> 20} MiB)"
    if result.signal is not None:
        return f"killed by signal {result.signal}"
    return None
