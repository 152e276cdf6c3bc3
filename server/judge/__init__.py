"""Embedded local judge: compile, run sandboxed, compare answers."""

from .isolation import JudgeUnavailable, Readiness
from .judge import Judge
from .types import JudgeError, JudgeReport, JudgeTask, TestCase, TestResult

__all__ = ["Judge", "JudgeError", "JudgeReport", "JudgeTask", "JudgeUnavailable", "Readiness", "TestCase", "TestResult"]
