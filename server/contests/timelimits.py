"""Which time limit a problem gets, and deriving it from the accepted judge submissions as problemtools does.

In order: problem.yaml `limits.time_limit` (the newer formats, and our own older problem.yaml);
a `.timelimit` file (DOMjudge exports); else, when `submissions/accepted/` ships programs this judge
can run, the slowest of them times the multiplier (legacy `time_multiplier`, default 5, rounded to
the nearest second and at least 1 s; newer formats `time_multipliers.ac_to_time_limit`, default 2,
rounded up to a multiple of `time_resolution`); else DEFAULT_TIME_LIMIT.

Deriving needs the judge, so the loader only marks such a problem "pending"; `derive_contest` runs
the submissions through a judge callable (at start or upload) and remembers the result in a small
JSON cache next to the database, keyed by a digest of the submissions, the tests and the rule.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import math
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..judge import verdicts
from ..judge.compilers import COMPILERS, compiler_for
from ..judge.types import JudgeReport, JudgeTask
from .errors import PackageError
from .files import positive
from .models import Contest, Problem, TimeLimitDerivation, task_for

log = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 2.0  # seconds, when a package says nothing and ships nothing to derive it from
LEGACY_MULTIPLIER = 5.0
AC_TO_TIME_LIMIT = 2.0
DERIVING_TIME_LIMIT = 10.0  # CPU seconds per test an accepted submission gets while its limit is measured
MAX_DERIVED = 60.0

JudgeCall = Callable[[JudgeTask], Awaitable[JudgeReport]]


@dataclasses.dataclass(frozen=True, slots=True)
class TimeLimitChoice:
    """The limit a problem loads with, and how to derive it when it is pending."""

    seconds: float
    source: str
    derivation: TimeLimitDerivation | None = None


def choose(root: Path, limits: dict[str, Any], legacy: bool) -> TimeLimitChoice:
    """Pick the time limit of the package at root from its problem.yaml `limits`."""
    if "time_limit" in limits:
        return TimeLimitChoice(positive(limits["time_limit"], "problem.yaml: limits.time_limit"), "problem.yaml")
    marker = root / ".timelimit"
    if marker.is_file():
        text = marker.read_text(encoding="utf-8", errors="replace").strip()
        return TimeLimitChoice(positive(text, ".timelimit"), ".timelimit")
    accepted = accepted_submissions(root)
    if not accepted:
        return TimeLimitChoice(DEFAULT_TIME_LIMIT, "default")
    if legacy:
        multiplier = positive(limits.get("time_multiplier", LEGACY_MULTIPLIER), "limits.time_multiplier")
        derivation = TimeLimitDerivation(accepted, multiplier, None)
    else:
        multipliers = limits.get("time_multipliers") or {}
        if not isinstance(multipliers, dict):
            raise PackageError("problem.yaml: limits.time_multipliers must be a mapping")
        multiplier = positive(multipliers.get("ac_to_time_limit", AC_TO_TIME_LIMIT), "ac_to_time_limit")
        resolution = positive(limits.get("time_resolution", 1.0), "limits.time_resolution")
        derivation = TimeLimitDerivation(accepted, multiplier, resolution)
    return TimeLimitChoice(DEFAULT_TIME_LIMIT, "pending", derivation)


def accepted_submissions(root: Path) -> tuple[Path, ...]:
    """Single-file programs in submissions/accepted/ in a language this judge knows, by name."""
    folder = root / "submissions" / "accepted"
    if not folder.is_dir():
        return ()
    found = []
    for entry in sorted(folder.iterdir()):
        program = entry
        if entry.is_dir():  # a folder submission counts when it holds one source file
            sources = [p for p in entry.iterdir() if compiler_for(p) is not None]
            if len(sources) != 1:
                continue
            program = sources[0]
        if program.is_file() and compiler_for(program) is not None:
            found.append(program)
    return tuple(found)


def limit_from_runtime(seconds: float, derivation: TimeLimitDerivation) -> float:
    """The time limit for the slowest accepted run, by the format's rounding rule."""
    exact = seconds * derivation.multiplier
    if derivation.resolution is None:  # problemtools, legacy: nearest second, at least one
        return float(max(1, int(0.5 + exact)))
    steps = max(1, math.ceil(exact / derivation.resolution - 1e-9))
    return steps * derivation.resolution


class TimeLimitCache:
    """Derived limits by fingerprint, in one JSON file (written atomically; unreadable means empty)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._values: dict[str, float] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self._values = {str(k): float(v) for k, v in data.items()}
            except (OSError, ValueError, AttributeError) as exc:
                log.warning("time limit cache %s unreadable, starting empty: %s", path, exc)

    def get(self, key: str) -> float | None:
        """A remembered limit."""
        return self._values.get(key)

    def put(self, key: str, seconds: float) -> None:
        """Remember a limit and save the file (blocking: a few hundred bytes)."""
        self._values[key] = seconds
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".timelimits-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self._values, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


def fingerprint(problem: Problem) -> str:
    """A digest of what the derived limit depends on: the submissions, the tests and the rule."""
    assert problem.derivation is not None
    digest = hashlib.sha256()
    d = problem.derivation
    digest.update(f"{d.multiplier}:{d.resolution}:{problem.memory_limit}:{problem.validation}\n".encode())
    for path in d.accepted:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for test in problem.tests:
        for path in (test.input_path, test.answer_path):
            with path.open("rb") as f:
                digest.update(test.name.encode() + b"\0" + hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def with_time_limit(problem: Problem, seconds: float, source: str, page: Callable[[Problem], bytes]) -> Problem:
    """The problem with a settled time limit (and its statement page redrawn with it)."""
    settled = dataclasses.replace(problem, time_limit=seconds, time_limit_source=source)
    return dataclasses.replace(settled, statement_html=page(settled))


async def derive_problem(problem: Problem, judge: JudgeCall, cache: TimeLimitCache) -> tuple[float, str]:
    """The derived limit of a pending problem and its source ("derived", or "default" when nothing ran)."""
    assert problem.derivation is not None
    key = await asyncio.to_thread(fingerprint, problem)
    cached = cache.get(key)
    if cached is not None:
        return cached, "derived"
    slowest: int | None = None
    for path in problem.derivation.accepted:
        compiler = compiler_for(path)
        assert compiler is not None  # accepted_submissions() kept only sources of a known language
        if compiler not in COMPILERS:
            log.info("problem %s: %s skipped (no compiler %s)", problem.id, path.name, compiler)
            continue
        source = await asyncio.to_thread(path.read_bytes)
        # The problem's own task (output and validator limits as submissions get them), but time to measure.
        task = dataclasses.replace(task_for(problem, source, compiler), time_limit=DERIVING_TIME_LIMIT)
        try:
            report = await judge(task)
        except Exception as exc:  # the judge could not run it at all: try the next one
            log.warning("problem %s: accepted submission %s could not be judged: %s", problem.id, path.name, exc)
            continue
        if report.verdict != verdicts.OK:
            log.warning(
                "problem %s: accepted submission %s got %s on test %d; not used for the time limit",
                problem.id,
                path.name,
                report.verdict,
                report.failed_test,
            )
            continue
        slowest = max(slowest or 0, report.time)
    if slowest is None:
        log.error("problem %s: no accepted submission ran; default time limit %g s", problem.id, DEFAULT_TIME_LIMIT)
        return DEFAULT_TIME_LIMIT, "default"
    seconds = min(MAX_DERIVED, limit_from_runtime(slowest / 1000, problem.derivation))
    log.info("problem %s: slowest accepted run %d ms -> time limit %g s", problem.id, slowest, seconds)
    await asyncio.to_thread(cache.put, key, seconds)
    return seconds, "derived"


async def derive_contest(
    contest: Contest, judge: JudgeCall, cache: TimeLimitCache, page: Callable[[Problem], bytes]
) -> Contest:
    """The contest with every pending time limit settled (one problem at a time, to leave the judge free)."""
    problems = dict(contest.problems)
    for alias, problem in contest.problems.items():
        if problem.time_limit_source == "pending":
            seconds, source = await derive_problem(problem, judge, cache)
            problems[alias] = with_time_limit(problem, seconds, source, page)
    return dataclasses.replace(contest, problems=problems)


def settle_from_cache(contest: Contest, cache: TimeLimitCache, page: Callable[[Problem], bytes]) -> Contest:
    """The contest with the pending limits the cache already knows filled in (blocking: hashes the tests)."""
    problems = dict(contest.problems)
    for alias, problem in contest.problems.items():
        if problem.time_limit_source == "pending":
            cached = cache.get(fingerprint(problem))
            if cached is not None:
                problems[alias] = with_time_limit(problem, cached, "derived", page)
    return dataclasses.replace(contest, problems=problems)
