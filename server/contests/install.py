"""Contests without restarts: install an uploaded package, or reload CONTESTS_DIR, while the server runs.

An upload (a zip of a contest folder, of one Kattis/ICPC problem package, or of one Polygon package)
is unpacked into a hidden folder under CONTESTS_DIR, loaded completely there (time limits derived
when the package needs it), then renamed into place in one step and added to the catalog.  A
broken upload is answered with every fault found and leaves nothing behind.  A single problem
becomes a one-problem contest (alias A, five hours) with a fresh id.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .archive import ArchiveLimits, remove_tree, unpack
from .errors import PackageError
from .kattis import page_of
from .loader import ReloadReport, load_contest, load_problem, reload_catalog
from .models import Contest, ContestCatalog
from .polygon import is_polygon
from .timelimits import (
    DEFAULT_TIME_LIMIT,
    JudgeCall,
    TimeLimitCache,
    derive_contest,
    settle_from_cache,
    with_time_limit,
)

log = logging.getLogger(__name__)

SINGLE_PROBLEM_DURATION = 5 * 3600  # seconds: an ICPC contest's length
STAGING_PREFIX = ".upload-"


class ContestConflict(PackageError):
    """The uploaded contest's id is taken (and replacing was not asked for)."""


@dataclass
class Installed:
    """An installed contest, where it lives, and what loaded but deserves a look (an unrendered statement)."""

    contest: Contest
    folder: Path
    warnings: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:40] or "contest"


def _package_root(raw: Path) -> Path:
    """The folder holding contest.yaml, problem.yaml or package.xml: the archive root or its one folder."""
    markers = ("contest.yaml", "problem.yaml", "package.xml")
    folder = raw
    for _ in range(2):
        if any((folder / m).is_file() for m in markers):
            return folder
        entries = [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX"))]
        if len(entries) != 1 or not entries[0].is_dir():
            break
        folder = entries[0]
    raise PackageError(
        "the archive holds no contest.yaml, problem.yaml or package.xml (at its top or in its one folder)"
    )


class ContestInstaller:
    """Installs uploads into, and reloads, one CONTESTS_DIR and its catalog; one change at a time."""

    def __init__(
        self,
        catalog: ContestCatalog,
        contests_dir: Path,
        cache: TimeLimitCache | None = None,
        judge: JudgeCall | None = None,
        limits: ArchiveLimits = ArchiveLimits(),
    ) -> None:
        self.catalog = catalog
        self.contests_dir = contests_dir
        self.cache = cache or TimeLimitCache(None)
        self.judge = judge  # runs a package's accepted submissions; without it, derived limits fall back to the default
        self.limits = limits
        self.settling: asyncio.Task[list[int]] | None = None  # held-back contests being measured after start
        self._lock = asyncio.Lock()

    async def install(self, archive: Path, *, replace: bool = False) -> Installed:
        """Install an uploaded zip (blocking work in threads); PackageError (422), ArchiveTooLarge (413),
        ContestConflict (409) carry every reason.  `replace` lets a contest package replace the contest
        with its id."""
        async with self._lock:
            staging = self.contests_dir / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
            try:
                return await self._install(archive, staging, replace)
            finally:
                await asyncio.to_thread(remove_tree, staging)

    async def _install(self, archive: Path, staging: Path, replace: bool) -> Installed:
        raw = staging / "raw"
        await asyncio.to_thread(unpack, archive, raw, self.limits)
        root = await asyncio.to_thread(_package_root, raw)
        if (root / "contest.yaml").is_file():
            folder = root
        else:
            folder = await asyncio.to_thread(self._wrap_problem, root, staging / "contest")
        contest = await asyncio.to_thread(load_contest, folder)  # PackageError lists every fault
        self._check_id(contest, replace)
        contest = await self._settle(contest)
        target = self._target(contest)
        await asyncio.to_thread(os.rename, folder, target)
        try:
            # Paths inside the model name the package's files: read it again where it now lives.
            installed = await asyncio.to_thread(load_contest, target)
            installed = await self._settle(installed)
        except Exception:
            await asyncio.to_thread(remove_tree, target)
            raise
        old = self.catalog.get(installed.id)
        self.catalog.add(installed)
        if old is not None and old.folder is not None and old.folder != target:
            await asyncio.to_thread(remove_tree, old.folder)
        warnings = [
            f"problem {p.alias}: statement not rendered: {p.statement.problem}"
            for p in installed.problems.values()
            if p.statement.problem
        ]
        log.info("contest %d %r installed in %s", installed.id, installed.name, target.name)
        return Installed(installed, target, warnings)

    def _wrap_problem(self, problem_root: Path, folder: Path) -> Path:
        """A one-problem contest package around an uploaded problem package (blocking)."""
        kind = "Polygon" if is_polygon(problem_root) else "problem"
        problem = load_problem("A", problem_root)  # refuse a broken problem before building anything
        folder.mkdir(parents=True)
        name = _slug(problem_root.name if problem_root.name != "raw" else problem.name) or "problem"
        os.rename(problem_root, folder / name)
        contest_id = max(self.catalog.free_id(), max(self.catalog.pending, default=0) + 1)
        meta = {
            "id": contest_id,
            "name": problem.name,
            "duration": SINGLE_PROBLEM_DURATION,
            "problems": [{"alias": "A", "path": name}],
        }
        (folder / "contest.yaml").write_text(
            f"# Made by the server from an uploaded {kind} package.\n" + yaml.safe_dump(meta, allow_unicode=True),
            encoding="utf-8",
        )
        return folder

    def _check_id(self, contest: Contest, replace: bool) -> None:
        taken = self.catalog.get(contest.id) or self.catalog.pending.get(contest.id)
        if taken is not None and not replace:
            raise ContestConflict(f"contest id {contest.id} is already used by {taken.name!r}")

    async def _settle(self, contest: Contest) -> Contest:
        if not contest.pending:
            return contest
        contest = await asyncio.to_thread(settle_from_cache, contest, self.cache, page_of)
        if contest.pending and self.judge is not None:
            contest = await derive_contest(contest, self.judge, self.cache, page_of)
        if contest.pending:  # no judge to run the accepted submissions: the documented default
            problems = {
                alias: with_time_limit(p, DEFAULT_TIME_LIMIT, "default", page_of)
                if p.time_limit_source == "pending"
                else p
                for alias, p in contest.problems.items()
            }
            contest = dataclasses.replace(contest, problems=problems)
        return contest

    def _target(self, contest: Contest) -> Path:
        base = f"{_slug(contest.name)}-{contest.id}"
        target = self.contests_dir / base
        while target.exists():
            target = self.contests_dir / f"{base}-{secrets.token_hex(3)}"
        return target

    async def reload(self) -> ReloadReport:
        """Read CONTESTS_DIR again (SIGHUP, or the admin endpoint); rooms and sessions keep running."""
        async with self._lock:
            return await reload_catalog(self.catalog, self.contests_dir, self.cache, self.judge)
