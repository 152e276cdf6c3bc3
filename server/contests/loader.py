"""Read contest packages under CONTESTS_DIR into the catalog; a broken package is logged and skipped.

A contest package is a folder with contest.yaml (`id`, `name`, `duration`, `problems: [{alias, path}]`)
and one problem package per problem: Kattis/ICPC (problem.yaml) or Polygon (package.xml).  Folders
whose name starts with a dot (uploads being unpacked) are never read.  Loading blocks (files, pandoc):
at runtime call it in a thread, as `reload_catalog` does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..judge.validators import content_key
from .errors import Errors, PackageError
from .files import read_yaml
from .kattis import MIB, page_of
from .kattis import load_problem as load_kattis_problem
from .models import Contest, ContestCatalog, Problem
from .polygon import is_polygon, load_polygon_problem
from .timelimits import JudgeCall, TimeLimitCache, derive_contest, settle_from_cache

__all__ = [
    "LoadResult",
    "PackageError",
    "ReloadReport",
    "load_catalog",
    "load_contest",
    "load_contests",
    "load_problem",
    "reload_catalog",
    "settle_pending",
]

log = logging.getLogger(__name__)


def load_problem(alias: str, folder: Path) -> Problem:
    """One problem package of either kind (blocking); PackageError for anything wrong with it.

    A read or value error no check foresaw is the package's fault too: that problem is broken (skipped
    at start, refused on upload), the server is not.
    """
    try:
        problem = load_polygon_problem(alias, folder) if is_polygon(folder) else load_kattis_problem(alias, folder)
        check_bounds(problem)
        if problem.validator is not None:  # named by its content once here, not at every submission
            validator = dataclasses.replace(problem.validator, key=content_key(problem.validator))
            problem = dataclasses.replace(problem, validator=validator)
        return problem
    except (OSError, ValueError) as exc:
        log.warning("problem package %s: unexpected %s", folder, type(exc).__name__, exc_info=True)
        raise PackageError(f"the package cannot be read: {exc}") from exc


# Upper bounds on what a package may ask of the judge (both formats, written or derived): a limit
# above them is a typo or an attack (`memory: 1e30`), and no contest needs it.
MAX_TIME_LIMIT_S = 120.0
MAX_MEMORY = 16 << 30
MAX_OUTPUT = 1 << 30


def check_bounds(problem: Problem) -> None:
    """PackageError naming every limit of the problem above what the judge accepts."""
    errors = Errors()
    for what, value, most, unit in (
        ("time limit", problem.time_limit, MAX_TIME_LIMIT_S, "s"),
        ("validator time limit", problem.validation_time, MAX_TIME_LIMIT_S, "s"),
        ("memory limit", problem.memory_limit / MIB, MAX_MEMORY / MIB, "MiB"),
        ("validator memory limit", (problem.validation_memory or 0) / MIB, MAX_MEMORY / MIB, "MiB"),
        ("output limit", (problem.output_limit or 0) / MIB, MAX_OUTPUT / MIB, "MiB"),
    ):
        if value is not None and value > most:
            errors.add(f"the {what} ({value:g} {unit}) is above the {most:g} {unit} the judge accepts")
    errors.raise_if_any()


def _header(meta: dict[str, object]) -> tuple[int, str, int]:
    contest_id, name, duration = meta.get("id"), meta.get("name"), meta.get("duration")
    errors = Errors()
    if isinstance(contest_id, bool) or not isinstance(contest_id, int) or contest_id <= 0:
        errors.add("contest.yaml: id must be a positive integer")
    if not isinstance(name, str) or not name.strip():
        errors.add("contest.yaml: name must be a non-empty string")
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        errors.add("contest.yaml: duration must be a positive integer of seconds")
    errors.raise_if_any()
    return contest_id, name.strip(), duration  # type: ignore[return-value, union-attr]


def load_contest(folder: Path) -> Contest:
    """Read one contest package folder (blocking); PackageError lists every fault of every problem."""
    meta = read_yaml(folder / "contest.yaml", folder)
    errors = Errors()
    header: tuple[int, str, int] | None = None
    try:
        header = _header(meta)
    except PackageError as exc:
        errors.extend(exc)
    entries = meta.get("problems")
    if not isinstance(entries, list) or not entries:
        errors.add("contest.yaml: problems must be a non-empty list")
        entries = []
    problems: dict[str, Problem] = {}
    root = folder.resolve()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("alias"), str) or not entry.get("path"):
            errors.add("contest.yaml: each problem needs alias and path")
            continue
        alias = entry["alias"]
        if alias in problems:
            errors.add(f"contest.yaml: alias {alias} appears twice")
            continue
        path = (folder / str(entry["path"])).resolve()
        if not path.is_relative_to(root) or path == root:
            errors.add(f"problem {alias}: path leaves the package")
            continue
        try:
            problems[alias] = load_problem(alias, path)
        except PackageError as exc:
            errors.extend(exc, f"problem {alias}: ")
    errors.raise_if_any()
    assert header is not None
    contest_id, name, duration = header
    return Contest(contest_id, name, duration, dict(sorted(problems.items())), folder)


@dataclass
class LoadResult:
    """Every package under a root: ready, waiting for derived time limits, or broken (with its errors)."""

    contests: dict[int, Contest] = field(default_factory=dict)
    pending: dict[int, Contest] = field(default_factory=dict)
    failed: dict[str, list[str]] = field(default_factory=dict)


def load_contests(root: Path, cache: TimeLimitCache | None = None) -> LoadResult:
    """Load every package folder under root (blocking), logging and setting aside broken ones."""
    result = LoadResult()
    owners: dict[int, str] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            contest = load_contest(folder)
        except PackageError as exc:
            result.failed[folder.name] = exc.errors
            log.error("contest package %s skipped: %s", folder.name, exc)
            continue
        if contest.id in owners:
            message = f"id {contest.id} is already used by {owners[contest.id]}"
            result.failed[folder.name] = [message]
            log.error("contest package %s skipped: %s", folder.name, message)
            continue
        owners[contest.id] = folder.name
        if contest.pending and cache is not None:
            contest = settle_from_cache(contest, cache, page_of)
        if contest.pending:
            result.pending[contest.id] = contest
            log.info(
                "contest %d %r waits for time limits derived from its accepted submissions", contest.id, contest.name
            )
            continue
        result.contests[contest.id] = contest
        log.info(
            "contest %d %r loaded from %s (%d problems)", contest.id, contest.name, folder.name, len(contest.problems)
        )
    return result


def load_catalog(root: Path, cache: TimeLimitCache | None = None) -> ContestCatalog:
    """The catalog at start: ready contests available, those waiting for time limits held back."""
    result = load_contests(root, cache)
    catalog = ContestCatalog(result.contests)
    catalog.pending = result.pending
    return catalog


async def settle_pending(catalog: ContestCatalog, judge: JudgeCall, cache: TimeLimitCache) -> list[int]:
    """Derive the time limits of held-back contests and make each available when done; returns their ids."""
    settled = []
    while catalog.pending:
        contest_id, contest = next(iter(catalog.pending.items()))
        try:
            ready = await derive_contest(contest, judge, cache, page_of)
        except Exception:  # a fault of ours: this contest stays unavailable, the others go on
            log.exception("contest %d %r: time limits could not be derived", contest_id, contest.name)
            catalog.pending.pop(contest_id, None)
            continue
        if catalog.pending.get(contest_id) is contest:  # a reload may have replaced it meanwhile
            del catalog.pending[contest_id]
            catalog.add(ready)
            settled.append(contest_id)
            log.info("contest %d %r is available: time limits derived", contest_id, contest.name)
    return settled


@dataclass
class ReloadReport:
    """What a reload changed: ids loaded, removed and kept at their old version, and the broken folders."""

    loaded: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)


async def reload_catalog(
    catalog: ContestCatalog, root: Path, cache: TimeLimitCache | None = None, judge: JudgeCall | None = None
) -> ReloadReport:
    """Read CONTESTS_DIR again and swap the catalog's content in one step; rooms keep running.

    A package that is broken now but loaded before keeps its loaded version (never half-loaded);
    a package whose time limits must be derived is derived first when a judge is given.
    """
    result = await asyncio.to_thread(load_contests, root, cache)
    if judge is not None and cache is not None:
        for contest_id, contest in list(result.pending.items()):
            result.contests[contest_id] = await derive_contest(contest, judge, cache, page_of)
            del result.pending[contest_id]
    report = ReloadReport(loaded=sorted(result.contests), failed=result.failed)
    new = dict(result.contests)
    by_folder = {c.folder.name: c for c in catalog.contests.values() if c.folder is not None}
    for folder_name in result.failed:
        old = by_folder.get(folder_name)
        if old is not None and old.id not in new:
            new[old.id] = old
            report.kept.append(old.id)
    for contest_id in result.pending:  # until its limits are derived, the version already loaded stays
        old = catalog.get(contest_id)
        if old is not None:
            new[contest_id] = old
            report.kept.append(contest_id)
    report.removed = sorted(set(catalog.contests) - set(new) - set(result.pending))
    catalog.replace_all(new)
    catalog.pending = result.pending
    log.info(
        "contests reloaded: %d loaded, %d kept, %d removed, %d broken, %d waiting",
        len(report.loaded),
        len(report.kept),
        len(report.removed),
        len(report.failed),
        len(result.pending),
    )
    return report
