"""Read every contest package under CONTESTS_DIR; a broken package is logged and skipped."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import yaml

from ..judge.types import TestCase
from .models import Contest, ContestCatalog, Problem

log = logging.getLogger(__name__)

MIB = 1024 * 1024


class PackageError(Exception):
    """A contest package is malformed; the message says where."""


def _yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"{path.name} is missing") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PackageError(f"{path.name} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PackageError(f"{path.name} must be a mapping")
    return data


def _tests(folder: Path, group: str) -> list[TestCase]:
    cases = []
    for inp in sorted((folder / "data" / group).glob("*.in")):
        ans = inp.with_suffix(".ans")
        if not ans.is_file():
            raise PackageError(f"{inp.relative_to(folder)} has no .ans file")
        cases.append(TestCase(f"{group}/{inp.stem}", inp, ans))
    return cases


def _positive(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise PackageError(f"{what} must be a positive number")
    return float(value)


def load_problem(alias: str, folder: Path) -> Problem:
    """Read one Kattis-layout problem folder."""
    if not folder.is_dir():
        raise PackageError(f"problem {alias}: folder {folder.name} is missing")
    meta = _yaml(folder / "problem.yaml")
    limits = meta.get("limits") or {}
    if not isinstance(limits, dict):
        raise PackageError(f"problem {alias}: limits must be a mapping")
    statement = folder / "statement.html"
    if not statement.is_file():
        statement = folder / "problem_statement" / "problem.html"
    if not statement.is_file():
        raise PackageError(f"problem {alias}: no statement.html")
    tests = _tests(folder, "sample") + _tests(folder, "secret")
    if not tests:
        raise PackageError(f"problem {alias}: no tests under data/sample or data/secret")
    return Problem(
        alias=alias,
        name=str(meta.get("name") or alias),
        folder=folder,
        time_limit=_positive(limits.get("time_limit", 1), f"problem {alias}: limits.time_limit"),
        memory_limit=int(_positive(limits.get("memory", 256), f"problem {alias}: limits.memory") * MIB),
        float_tolerance=bool(meta.get("float_tolerance", False)),
        statement_html=statement.read_bytes(),
        tests=tuple(tests),
    )


def load_contest(folder: Path) -> Contest:
    """Read one contest package folder; raises PackageError."""
    meta = _yaml(folder / "contest.yaml")
    contest_id, name, duration = meta.get("id"), meta.get("name"), meta.get("duration")
    if isinstance(contest_id, bool) or not isinstance(contest_id, int):
        raise PackageError("contest.yaml: id must be an integer")
    if not isinstance(name, str) or not name.strip():
        raise PackageError("contest.yaml: name must be a non-empty string")
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        raise PackageError("contest.yaml: duration must be a positive integer of seconds")
    entries = meta.get("problems")
    if not isinstance(entries, list) or not entries:
        raise PackageError("contest.yaml: problems must be a non-empty list")
    problems: dict[str, Problem] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("alias"), str) or not entry.get("path"):
            raise PackageError("contest.yaml: each problem needs alias and path")
        alias = entry["alias"]
        if alias in problems:
            raise PackageError(f"contest.yaml: alias {alias} appears twice")
        path = (folder / str(entry["path"])).resolve()
        if not path.is_relative_to(folder.resolve()):
            raise PackageError(f"problem {alias}: path leaves the package")
        problems[alias] = load_problem(alias, path)
    return Contest(contest_id, name.strip(), duration, dict(sorted(problems.items())))


def load_catalog(root: Path) -> ContestCatalog:
    """Load every package folder under root, logging and skipping broken ones."""
    contests: dict[int, Contest] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            contest = load_contest(folder)
        except PackageError as exc:
            log.error("contest package %s skipped: %s", folder.name, exc)
            continue
        if contest.id in contests:
            log.error("contest package %s skipped: id %d is already used", folder.name, contest.id)
            continue
        contests[contest.id] = contest
        log.info(
            "contest %d %r loaded from %s (%d problems)", contest.id, contest.name, folder.name, len(contest.problems)
        )
    return ContestCatalog(contests)
