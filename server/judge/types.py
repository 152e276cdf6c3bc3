"""Plain data passed into and out of the judge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TestCase:
    """One test: its name (e.g. "sample/01"), input file and expected answer file."""

    name: str
    input_path: Path
    answer_path: Path


@dataclass(frozen=True)
class JudgeTask:
    """A submission to judge against a problem's tests."""

    source: bytes
    compiler: str
    tests: Sequence[TestCase]
    time_limit: float  # seconds
    memory_limit: int  # bytes
    float_tolerance: bool = False


@dataclass
class TestResult:
    """The outcome of one test."""

    sequence_number: int  # 1-based
    test_name: str
    verdict: str
    running_time: int  # ms CPU
    memory_used: int  # bytes, peak RSS


@dataclass
class JudgeReport:
    """The outcome of a whole submission."""

    verdict: str
    compile_log: str
    tests: list[TestResult] = field(default_factory=list)
    failed_test: int = 0  # 1-based, 0 if none
    time: int = 0  # max ms over tests
    memory: int = 0  # max bytes
