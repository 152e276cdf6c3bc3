"""Verdict names exactly as the web client shows them."""

from typing import Final

OK: Final = "OK"
WRONG_ANSWER: Final = "WrongAnswer"
TIME_LIMIT_EXCEEDED: Final = "TimeLimitExceeded"
MEMORY_LIMIT_EXCEEDED: Final = "MemoryLimitExceeded"
RUNTIME_ERROR: Final = "RuntimeError"
COMPILATION_ERROR: Final = "CompilationError"
OUTPUT_LIMIT_EXCEEDED: Final = "OutputLimitExceeded"
IDLENESS_LIMIT_EXCEEDED: Final = "IdlenessLimitExceeded"

# Shown while a submission waits for the judge.
PENDING: Final = "No report"

# Internal only, never shown to a team as a verdict: the problem's own validator
# failed (crashed, gave an exit code outside its convention, did not compile).
# The judging service records it as a judge error (JudgeReport.judge_error says why).
JUDGE_ERROR: Final = "JudgeError"

ALL_VERDICTS: Final = frozenset(
    {
        OK,
        WRONG_ANSWER,
        TIME_LIMIT_EXCEEDED,
        MEMORY_LIMIT_EXCEEDED,
        RUNTIME_ERROR,
        COMPILATION_ERROR,
        OUTPUT_LIMIT_EXCEEDED,
        IDLENESS_LIMIT_EXCEEDED,
    }
)
