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


# problem.yaml's `validation` (Kattis problem package format).
VALIDATION_DEFAULT = "default"
VALIDATION_CUSTOM = "custom"
VALIDATION_INTERACTIVE = "custom interactive"
VALIDATIONS = (VALIDATION_DEFAULT, VALIDATION_CUSTOM, VALIDATION_INTERACTIVE)
# How a custom validator is called.
KATTIS = "kattis"  # validator input judge_answer feedback_dir [flags] < team_output; exit 42 accepted, 43 wrong
TESTLIB = "testlib"  # check input team_output answer; exit 0 ok, 1 wa, 2 pe, 3 fail, 4 dirt, 7 points, 8 eof


@dataclass(frozen=True)
class ValidatorSource:
    """A problem's own output validator (or interactor): a folder of sources and how to build and call it.

    Compiled once per content (all files of the folder, language, kind) and
    cached by the judge; run in the sandbox with its own limits.
    """

    folder: Path
    language: str = "gcc_cpp20"  # a compiler id (gcc_cpp20, gcc_c17, python3_docker, pypy3_7_1_0, jdk17, ...)
    kind: str = KATTIS  # KATTIS or TESTLIB
    entry: str | None = None  # the main file; default: every source of the language (C, C++) or the only one
    time_limit: float = 10.0  # seconds of CPU per run
    memory_limit: int = 1 << 30  # bytes


@dataclass(frozen=True)
class JudgeTask:
    """One submission to judge; tests run in the order given (samples first)."""

    source: bytes
    compiler: str
    tests: Sequence[TestCase]
    time_limit: float  # seconds of CPU time per test
    memory_limit: int  # bytes of peak resident memory per test
    float_tolerance: bool = False
    validation: str = VALIDATION_DEFAULT  # VALIDATIONS
    validator_flags: tuple[str, ...] = ()  # passed to a custom validator after its three arguments
    validator: ValidatorSource | None = None  # required for "custom" and "custom interactive"


@dataclass
class TestResult:
    """The outcome of one test run."""

    __test__ = False

    sequence_number: int  # 1-based position in JudgeTask.tests
    test_name: str
    verdict: str
    running_time: int  # milliseconds of CPU time (user + sys)
    memory_used: int  # bytes, peak resident set size
    message: str = ""  # a custom validator's feedback (judgemessage.txt, testlib's comment)


@dataclass
class JudgeReport:
    """The outcome of a whole submission."""

    verdict: str
    compile_log: str = ""
    tests: list[TestResult] = field(default_factory=list)
    failed_test: int = 0  # 1-based index of the first failing test, 0 if none
    time: int = 0  # milliseconds, the maximum over the tests run
    memory: int = 0  # bytes, the maximum over the tests run
    judge_error: str = ""  # with verdict JUDGE_ERROR: what failed (a validator that crashed, did not compile)
