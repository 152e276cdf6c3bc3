"""Helpers shared by the judge's tests: test files, sandbox processes and uids, layer checks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from server.judge import Judge, JudgeTask, TestCase

MIB = 1 << 20
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="privilege drop needs root")


@contextlib.contextmanager
def open_judge(work_root: Path, **options: Any) -> Iterator[Judge]:
    """A Judge working under `work_root`, closed (its cgroups and work folder removed) when the block ends."""
    judge = Judge(work_root, **options)
    try:
        yield judge
    finally:
        judge.close()


def judge_fixture(**options: Any) -> Any:
    """A module-scoped `judge` fixture (assign it as `judge = judge_fixture()`): one Judge per module, always closed."""

    @pytest.fixture(scope="module")
    def judge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Judge]:
        with open_judge(tmp_path_factory.mktemp("judge-work"), **options) as opened:
            yield opened

    return judge


def make_tests(folder: Path, pairs: Sequence[tuple[str, str]]) -> list[TestCase]:
    """Write (input, answer) pairs as test files."""
    folder.mkdir(parents=True, exist_ok=True)
    tests = []
    for i, (given, answer) in enumerate(pairs, start=1):
        (folder / f"{i}.in").write_text(given)
        (folder / f"{i}.ans").write_text(answer)
        tests.append(TestCase(f"secret/{i}", folder / f"{i}.in", folder / f"{i}.ans"))
    return tests


def task(
    source: str, compiler: str, tests: Sequence[TestCase], time_limit: float = 0.5, memory: int = 64 * MIB
) -> JudgeTask:
    """A judge task from text source."""
    return JudgeTask(source.encode(), compiler, tests, time_limit, memory)


def sandbox_processes(uids: Collection[int], running: bytes = b"") -> list[int]:
    """Pids of live processes owned by one of `uids` (whose command line has `running`)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            uid = os.stat(entry.path).st_uid
            cmdline = Path(entry.path, "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if uid in uids and running in cmdline:
            found.append(int(entry.name))
    return found


def _poll(want_any: bool, uids: Collection[int], running: bytes, deadline: float) -> list[int]:
    # Process exit has no event to wait on; poll /proc (in a thread, so the
    # judge keeps running on the loop meanwhile).
    end = time.monotonic() + deadline
    while bool(found := sandbox_processes(uids, running)) != want_any and time.monotonic() < end:
        time.sleep(0.02)
    return found


async def wait_no_processes(uids: Collection[int], deadline: float = 3.0) -> list[int]:
    """Wait until no process of `uids` is left; returns the stragglers."""
    return await asyncio.to_thread(_poll, False, uids, b"", deadline)


async def wait_process(uids: Collection[int], running: bytes, deadline: float = 5.0) -> list[int]:
    """Wait until a process of `uids` whose command line has `running` exists."""
    return await asyncio.to_thread(_poll, True, uids, running, deadline)


def leased_uids(monkeypatch: pytest.MonkeyPatch, judge: Judge) -> set[int]:
    """Record the sandbox uids `judge` leases from now on.

    Other judges on the machine (a parallel test run, a server) may be using
    neighbouring uids, so the checks look at ours only.
    """
    seen: set[int] = set()
    lease = judge._sandbox.user

    @contextlib.contextmanager
    def recording() -> Iterator[int | None]:
        with lease() as uid:
            if uid is not None:
                seen.add(uid)
            yield uid

    monkeypatch.setattr(judge._sandbox, "user", recording)
    return seen


def run_leaves(judge: Judge) -> list[Path]:
    """The per-run cgroups currently under the judge's slots (none between runs)."""
    tree = judge._sandbox.cgroups
    if tree is None:
        return []
    return [
        child
        for slot in range(len(tree.slots))
        for parent in tree.parents(slot)
        for child in Path(parent).iterdir()
        if child.is_dir()
    ]


async def spawn(*argv: str) -> tuple[int, bytes]:
    """Run a command outside the sandbox; its exit code and stdout."""
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    return proc.returncode or 0, out


def require(judge: Judge, *layers: str) -> None:
    """Skip unless every named isolation layer (sandbox.LAYERS) is active."""
    missing = [layer for layer in layers if layer in judge.layers.missing]
    if missing:
        pytest.skip(f"not available here: {', '.join(missing)}")
