"""Loaded contests and problems (immutable once read) and the catalog that holds them (swappable at runtime)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..judge.types import JudgeTask, TestCase, Validation, ValidatorSource

# Statement HTML names its images with this prefix; the statement view puts the asset route's URL in its place.
ASSET_MARKER = "__tt_statement_asset__/"


@dataclass(frozen=True, slots=True)
class Statement:
    """A problem's statement, rendered at load: the body in Yandex Contest markup and the files it may show."""

    body: str  # legend, input, output, samples, notes (the header with name and limits is added around it)
    language: str | None  # BCP 47 code of the chosen statement ("en"), None when unknown
    source: str  # what it was made from: "md", "tex", "html", "pdf", "polygon" or "none"
    assets: Path | None = None  # the folder its images (and PDF) are served from
    files: frozenset[str] = frozenset()  # names under `assets` the statement shows: the only ones served
    problem: str | None = None  # why it could not be rendered, when it could not (shown in the body too)


@dataclass(frozen=True, slots=True)
class TimeLimitDerivation:
    """How to derive a time limit from the package's accepted judge submissions (problemtools' rule)."""

    accepted: tuple[Path, ...]  # single-file submissions under submissions/accepted/
    multiplier: float  # legacy time_multiplier (5) or ac_to_time_limit (2)
    resolution: float | None  # newer formats: round up to a multiple of this; legacy: nearest second, at least 1


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a contest package, with everything the judge and the statement views need."""

    alias: str
    name: str
    folder: Path
    time_limit: float  # seconds
    memory_limit: int  # bytes
    statement: Statement
    statement_html: bytes  # the whole page (header + body), composed at load: served as it is
    tests: tuple[TestCase, ...]  # samples first, then secret tests, groups in the spec's order
    validation: Validation = "default"
    validator: ValidatorSource | None = None
    # Where the time limit came from: "problem.yaml", ".timelimit", "polygon", "derived", "default",
    # or "pending" while `derivation` has not run yet (time_limit is then the default).
    time_limit_source: str = "problem.yaml"
    derivation: TimeLimitDerivation | None = None
    package_format: str = "legacy"  # problem_format_version, or "polygon"
    # problem.yaml limits the judge may apply (None: the judge's own defaults): output size (bytes),
    # and a custom validator's time (s) and memory (bytes).
    output_limit: int | None = None
    validation_time: float | None = None
    validation_memory: int | None = None

    @property
    def id(self) -> str:
        """A stable id for the client: the package folder name."""
        return self.folder.name


def task_for(problem: Problem, source: bytes, compiler: str) -> JudgeTask:
    """The judge's task for a submission to a problem, with the limits its package gives."""
    validator = problem.validator
    if validator is not None and (problem.validation_time or problem.validation_memory):
        validator = dataclasses.replace(
            validator,
            time_limit=problem.validation_time or validator.time_limit,
            memory_limit=problem.validation_memory or validator.memory_limit,
        )
    return JudgeTask(
        source=source,
        compiler=compiler,
        tests=problem.tests,
        time_limit=problem.time_limit,
        memory_limit=problem.memory_limit,
        validation=problem.validation,
        validator=validator,
        output_limit=problem.output_limit,
    )


@dataclass(frozen=True, slots=True)
class Contest:
    """A contest package: id, name, duration and its problems by alias."""

    id: int
    name: str
    duration: int  # seconds
    problems: dict[str, Problem]
    folder: Path | None = None  # the package folder it was loaded from

    def problem(self, alias: str) -> Problem | None:
        """The problem with this alias, if any."""
        return self.problems.get(alias)

    @property
    def pending(self) -> bool:
        """Whether some problem still waits for its time limit to be derived."""
        return any(p.time_limit_source == "pending" for p in self.problems.values())


class ContestCatalog:
    """The loaded contests by id; readers keep `get`, `contests` and `in` while uploads and reloads swap content.

    Every change installs a new dict (copy on write), so a reader iterating `contests` keeps a
    consistent snapshot and never sees a half-applied change.
    """

    def __init__(self, contests: Mapping[int, Contest] | Iterable[Contest] = ()) -> None:
        self._contests: dict[int, Contest] = _by_id(contests)
        # Loaded but not yet available: waiting for time limits derived from accepted submissions.
        self.pending: dict[int, Contest] = {}

    @property
    def contests(self) -> Mapping[int, Contest]:
        """Every available contest by id (a read-only view of the current content)."""
        return MappingProxyType(self._contests)

    def get(self, contest_id: int) -> Contest | None:
        """The contest with this id, if loaded."""
        return self._contests.get(contest_id)

    def __contains__(self, contest_id: object) -> bool:
        return contest_id in self._contests

    def __len__(self) -> int:
        return len(self._contests)

    def add(self, contest: Contest) -> Contest | None:
        """Add a contest, or replace the one with its id; returns the replaced one."""
        old = self._contests.get(contest.id)
        self._contests = {**self._contests, contest.id: contest}
        return old

    def remove(self, contest_id: int) -> Contest | None:
        """Forget a contest; returns it, if it was there."""
        old = self._contests.get(contest_id)
        if old is not None:
            self._contests = {k: v for k, v in self._contests.items() if k != contest_id}
        return old

    def replace_all(self, contests: Mapping[int, Contest] | Iterable[Contest]) -> None:
        """Swap the whole content in one step (a reload from disk)."""
        self._contests = _by_id(contests)

    def free_id(self) -> int:
        """The smallest contest id above every loaded one."""
        return max(self._contests, default=0) + 1


def _by_id(contests: Mapping[int, Contest] | Iterable[Contest]) -> dict[int, Contest]:
    if isinstance(contests, Mapping):
        return dict(contests)
    return {c.id: c for c in contests}
