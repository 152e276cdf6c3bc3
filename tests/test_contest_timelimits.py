"""Choosing a problem's time limit, and deriving it from accepted submissions with the real judge."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from server.contests.kattis import page_of
from server.contests.loader import load_problem
from server.contests.models import Contest, TimeLimitDerivation, task_for
from server.contests.timelimits import (
    DEFAULT_TIME_LIMIT,
    DERIVING_TIME_LIMIT,
    TimeLimitCache,
    choose,
    derive_contest,
    fingerprint,
    limit_from_runtime,
)
from server.judge import Judge, JudgeReport, JudgeTask

from .support.judge import judge_fixture

PACKAGES = Path(__file__).parent / "packages"


judge = judge_fixture()


def legacy_sum(tmp_path: Path) -> Path:
    return shutil.copytree(PACKAGES / "legacysum", tmp_path / "legacysum")


def test_choice_order(tmp_path: Path) -> None:
    root = legacy_sum(tmp_path)
    assert choose(root, {"time_limit": 3}, legacy=True).seconds == 3.0
    (root / ".timelimit").write_text("2.5\n")
    assert (choose(root, {}, legacy=True).seconds, choose(root, {}, legacy=True).source) == (2.5, ".timelimit")
    (root / ".timelimit").unlink()
    pending = choose(root, {"time_multiplier": 3}, legacy=True)
    assert pending.source == "pending" and pending.derivation is not None and pending.derivation.multiplier == 3
    newer = choose(root, {"time_multipliers": {"ac_to_time_limit": 1.5}, "time_resolution": 0.5}, legacy=False)
    assert newer.derivation == TimeLimitDerivation(pending.derivation.accepted, 1.5, 0.5)
    shutil.rmtree(root / "submissions")
    assert (choose(root, {}, legacy=True).seconds, choose(root, {}, legacy=True).source) == (
        DEFAULT_TIME_LIMIT,
        "default",
    )


@pytest.mark.parametrize(
    ("runtime", "multiplier", "resolution", "limit"),
    [
        (0.02, 5, None, 1.0),  # problemtools: nearest second, at least 1
        (0.25, 5, None, 1.0),
        (0.3, 5, None, 2.0),
        (0.7, 5, None, 4.0),
        (0.3, 2, 1.0, 1.0),  # newer formats: up to a multiple of the resolution
        (0.6, 2, 1.0, 2.0),
        (0.3, 2, 0.5, 1.0),
        (0.2, 2, 0.5, 0.5),
        (0.25, 2, 0.5, 0.5),  # exactly on a multiple
    ],
)
def test_rounding(runtime: float, multiplier: float, resolution: float | None, limit: float) -> None:
    assert limit_from_runtime(runtime, TimeLimitDerivation((), multiplier, resolution)) == limit


async def test_derived_from_accepted_submissions_with_the_judge(judge: Judge, tmp_path: Path) -> None:
    problem = load_problem("D", legacy_sum(tmp_path))
    assert problem.time_limit_source == "pending"
    contest = Contest(1, "c", 60, {"D": problem})
    calls: list[JudgeTask] = []

    async def counted(task: JudgeTask) -> JudgeReport:
        calls.append(task)
        return await judge.judge(task)

    cache = TimeLimitCache(tmp_path / "var" / "timelimits.json")
    derived = (await derive_contest(contest, counted, cache, page_of)).problems["D"]
    assert (derived.time_limit, derived.time_limit_source) == (1.0, "derived")  # fast programs: 1 s at least
    assert sorted(t.compiler for t in calls) == ["gcc_c17", "python3_docker"]
    assert b'<td class="property-title">Time limit</td><td>1\xc2\xa0second</td>' in derived.statement_html
    assert json.loads((tmp_path / "var" / "timelimits.json").read_text()) == {fingerprint(problem): 1.0}

    async def never(task: JudgeTask) -> JudgeReport:
        raise AssertionError("the cached limit should be used")

    again = TimeLimitCache(tmp_path / "var" / "timelimits.json")  # read back from the file
    assert (await derive_contest(contest, never, again, page_of)).problems["D"].time_limit == 1.0


async def test_derivation_judges_with_the_problems_own_limits(judge: Judge, tmp_path: Path) -> None:
    # Only the time limit is the deriving one; output and validator limits are those submissions get.
    problem = dataclasses.replace(load_problem("D", legacy_sum(tmp_path)), output_limit=1 << 20)
    calls: list[JudgeTask] = []

    async def counted(task: JudgeTask) -> JudgeReport:
        calls.append(task)
        return await judge.judge(task)

    await derive_contest(Contest(1, "c", 60, {"D": problem}), counted, TimeLimitCache(None), page_of)
    assert calls
    for task in calls:
        expected = dataclasses.replace(task_for(problem, task.source, task.compiler), time_limit=DERIVING_TIME_LIMIT)
        assert task == expected and task.output_limit == 1 << 20


async def test_accepted_submissions_that_fail_give_the_default(judge: Judge, tmp_path: Path) -> None:
    root = legacy_sum(tmp_path)
    (root / "submissions" / "accepted" / "sum.py").write_text("print(0)\n")
    (root / "submissions" / "accepted" / "sum.c").write_text("int main(void) { return 1; }\n")
    problem = load_problem("D", root)
    derived = await derive_contest(Contest(1, "c", 60, {"D": problem}), judge.judge, TimeLimitCache(None), page_of)
    assert (derived.problems["D"].time_limit, derived.problems["D"].time_limit_source) == (
        DEFAULT_TIME_LIMIT,
        "default",
    )


def test_fingerprint_follows_the_content(tmp_path: Path) -> None:
    root = legacy_sum(tmp_path)
    before = fingerprint(load_problem("D", root))
    assert fingerprint(load_problem("D", root)) == before
    (root / "data" / "secret" / "1.in").write_text("-5 6\n")
    (root / "data" / "secret" / "1.ans").write_text("1\n")
    assert fingerprint(load_problem("D", root)) != before


def test_unreadable_cache_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "timelimits.json"
    path.write_text("{not json")
    cache = TimeLimitCache(path)
    assert cache.get("x") is None
    cache.put("x", 2.0)
    assert TimeLimitCache(path).get("x") == 2.0
