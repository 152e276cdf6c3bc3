"""Plain data passed into and out of the judge."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# How a problem's output is checked (problem.yaml `validation`, or Polygon's checker/interactor).
Validation = Literal["default", "custom", "custom interactive"]


class JudgeError(Exception):
    """The judge itself failed (sandbox set-up, missing tool), not the submission."""


@dataclass(frozen=True)
class ValidatorSource:
    """Where a problem's own output validator (or interactor) lives; the judge builds and runs it.

    `folder` is the program: a folder whose sources form it, or a single source file.
    `kind` "kattis": `validator input answer feedback_dir [flags] < output`, exit 42 accepted,
    43 wrong answer (interactive: its stdout is the submission's stdin).
    `kind` "testlib": a Polygon checker, `checker input output answer`, exit 0 OK, 1 WA, 2 PE,
    anything else a failure; `folder` holds testlib.h next to the entry.
    `language` is the compiler id it is built with ("gcc_cpp20", "gcc_c17", "python3_docker", "jdk17",
    "kotlin_1_8_0", as the loader gives them; "c", "cpp", "python3", "java" and "kotlin" are accepted
    too), or None when the folder has its own `build`/`run` scripts.
    `entry` names the main source inside `folder` when only that file is the program (Polygon's
    `files/` also holds generators and validators); None means every source in `folder`.
    """

    folder: Path
    kind: Literal["kattis", "testlib"]
    language: str | None
    entry: str | None = None
    # Its own limits per run (problem.yaml `limits.validation_time`/`validation_memory` where given):
    # seconds of CPU and bytes.  The judge builds it once per content (files, language, kind, entry).
    time_limit: float = 10.0
    memory_limit: int = 1 << 30
    # validators.content_key of the files, when the loader computed it (once, at load): "" to hash them per use.
    key: str = ""


@dataclass(frozen=True)
class TestCase:
    """One test: its name (e.g. ``sample/01``), input file and expected answer."""

    __test__ = False  # keep pytest from collecting this class

    name: str
    input_path: Path
    answer_path: Path
    # Output validator arguments for this test: problem.yaml `validator_flags` followed by its
    # group's testdata.yaml `output_validator_flags`.  The default validator reads them through
    # checker.default_flags(); a custom validator gets them as extra command-line arguments.
    validator_flags: tuple[str, ...] = ()


# The values of `Validation`, by name.
VALIDATION_DEFAULT: Validation = "default"
VALIDATION_CUSTOM: Validation = "custom"
VALIDATION_INTERACTIVE: Validation = "custom interactive"
VALIDATIONS = (VALIDATION_DEFAULT, VALIDATION_CUSTOM, VALIDATION_INTERACTIVE)
# How a custom validator is called (ValidatorSource.kind).
KATTIS = "kattis"
TESTLIB = "testlib"


@dataclass(frozen=True)
class JudgeTask:
    """One submission to judge; tests run in the order given (samples first)."""

    source: bytes
    compiler: str
    tests: Sequence[TestCase]
    time_limit: float  # seconds of CPU time per test
    memory_limit: int  # bytes of peak resident memory per test
    validation: Validation = "default"
    validator: ValidatorSource | None = None  # set for "custom" and "custom interactive"
    output_limit: int | None = None  # bytes (problem.yaml limits.output); None: the judge's 64 MiB


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
