"""Plain data passed into and out of the judge."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


class JudgeError(Exception):
    """The judge itself failed (sandbox set-up, missing tool), not the submission."""


@dataclass(frozen=True)
class TestCase:
    """One test: its name (e.g. ``sample/01``), input file and expected answer."""

    __test__ = False  # keep pytest from collecting this class

    name: str
    input_path: Path
    answer_path: Path


@dataclass(frozen=True)
class JudgeTask:
    """One submission to judge; tests run in the order given (samples first)."""

    source: bytes
    compiler: str
    tests: Sequence[TestCase]
    time_limit: float  # seconds of CPU time per test
    memory_limit: int  # bytes of peak resident memory per test
    float_tolerance: bool = False


@dataclass
class TestResult:
    """The outcome of one test run."""

    __test__ = False

    sequence_number: int  # 1-based position in JudgeTask.tests
    test_name: str
    verdict: str
    running_time: int  # milliseconds of CPU time (user + sys)
    memory_used: int  # bytes, peak resident set size


@dataclass
class JudgeReport:
    """The outcome of a whole submission."""

    verdict: str
    compile_log: str = ""
    tests: list[TestResult] = field(default_factory=list)
    failed_test: int = 0  # 1-based index of the first failing test, 0 if none
    time: int = 0  # milliseconds, the maximum over the tests run
    memory: int = 0  # bytes, the maximum over the tests run
