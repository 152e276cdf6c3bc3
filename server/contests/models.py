"""Loaded contests and problems, immutable once read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..judge.types import TestCase


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a contest package."""

    alias: str
    name: str
    folder: Path
    time_limit: float  # seconds
    memory_limit: int  # bytes
    float_tolerance: bool
    statement_html: bytes  # read at load: statements are small and served often
    tests: tuple[TestCase, ...]  # samples first, then secret tests

    @property
    def id(self) -> str:
        """A stable id for the client: the package folder name."""
        return self.folder.name


@dataclass(frozen=True, slots=True)
class Contest:
    """A contest package: id, name, duration and its problems by alias."""

    id: int
    name: str
    duration: int  # seconds
    problems: dict[str, Problem]

    def problem(self, alias: str) -> Problem | None:
        """The problem with this alias, if any."""
        return self.problems.get(alias)


@dataclass(frozen=True, slots=True)
class ContestCatalog:
    """Every contest loaded at start, by id."""

    contests: dict[int, Contest]

    def get(self, contest_id: int) -> Contest | None:
        """The contest with this id, if loaded."""
        return self.contests.get(contest_id)

    def __contains__(self, contest_id: object) -> bool:
        return contest_id in self.contests
