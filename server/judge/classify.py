"""Map what the sandbox measured for one test run to a verdict."""

import signal
from dataclasses import dataclass

from . import verdicts
from .sandbox import RunResult

# A failed run whose peak memory came this close to the limit most likely
# died of an allocation refused by the address-space cap.
MEMORY_NEAR = 0.9
# Runtime messages that mean "an allocation failed" (CPython, libstdc++).
OUT_OF_MEMORY_MARKERS = (b"MemoryError", b"std::bad_alloc")


@dataclass(frozen=True)
class RunLimits:
    """The limits a run is judged against (not the enforcement caps)."""

    time_ms: int
    memory: int  # bytes
    output: int  # bytes


def classify(result: RunResult, limits: RunLimits, output_size: int, stderr_tail: bytes = b"") -> str | None:
    """The verdict of a run, or None when the output still has to be compared."""
    if result.signal == signal.SIGXFSZ or output_size >= limits.output:
        return verdicts.OUTPUT_LIMIT_EXCEEDED
    if result.peak_rss > limits.memory:
        return verdicts.MEMORY_LIMIT_EXCEEDED
    # SIGPROF and SIGXCPU come from the CPU-time limits themselves; the
    # profiling timer and rusage can disagree by a tick, so trust the signal.
    if result.cpu_ms > limits.time_ms or result.signal in (signal.SIGPROF, signal.SIGXCPU):
        return verdicts.TIME_LIMIT_EXCEEDED
    if result.timed_out:
        # Killed by the wall clock.  Mostly waiting (sleep, blocked read) is
        # idleness; a busy program starved of CPU by a loaded machine can
        # also get here, and that is still a time limit.
        if result.cpu_ms * 2 < limits.time_ms:
            return verdicts.IDLENESS_LIMIT_EXCEEDED
        return verdicts.TIME_LIMIT_EXCEEDED
    if not result.success:
        near = result.peak_rss >= MEMORY_NEAR * limits.memory
        if near or any(m in stderr_tail for m in OUT_OF_MEMORY_MARKERS):
            return verdicts.MEMORY_LIMIT_EXCEEDED
        return verdicts.RUNTIME_ERROR
    return None
