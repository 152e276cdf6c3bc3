"""Embedded local judge: compile, run sandboxed, compare answers."""

from .judge import Judge
from .types import JudgeError, JudgeReport, JudgeTask, TestCase, TestResult

__all__ = ["Judge", "JudgeError", "JudgeReport", "JudgeTask", "TestCase", "TestResult"]
