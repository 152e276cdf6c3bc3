"""Contests, compilers, a session's problems and statements; package loading."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml
from aiohttp.test_utils import TestClient

from server.contests.loader import load_catalog
from server.judge.compilers import COMPILERS

from .support.api import Api, error_of
from .support.packages import write_contest


async def test_contests_and_compilers(api: Api, client: TestClient) -> None:
    alice = await api.register()
    resp = await client.get("/contests", headers=alice.headers)
    assert await resp.json() == [
        {"id": 1, "name": "Warm-up", "duration": 18000},
        {"id": 2, "name": "Short", "duration": 3600},
        {"id": 3, "name": "Blitz", "duration": 1},
    ]
    compilers = (await (await client.get("/compilers")).json())["compilers"]
    # the three the client always had first, then Java, PyPy and Kotlin where their toolchains are installed
    assert [c["id"] for c in compilers] == list(COMPILERS)
    assert list(COMPILERS)[:3] == ["python3_docker", "gcc_cpp20", "gcc_c17"]
    assert all(set(c) == {"id", "name", "style"} for c in compilers)


async def test_session_problems_statement_and_state(api: Api, client: TestClient) -> None:
    alice = await api.register()
    team = await api.team(alice)
    session = await api.session(alice, team["id"])
    ts = session["id"]
    contest = await (await client.get(f"/contests/{ts}", headers=alice.headers)).json()
    assert contest["id"] == 1 and contest["startTime"] == session["dt_created"]
    problems = (await (await client.get(f"/contests/{ts}/problems", headers=alice.headers)).json())["problems"]
    assert problems == contest["problems"]
    assert [p["alias"] for p in problems] == ["A", "B"]
    first = problems[0]
    assert first["name"] == "Sum A" and first["testCount"] == 4
    assert first["status"] == "NOT_SUBMITTED" and first["attempts"] == 0 and first["assignedUser"] is None
    assert first["limits"][0] == {"compilerName": "python3_docker", "timeLimit": 1000, "memoryLimit": 64 * 1024 * 1024}
    state = await (await client.get(f"/contests/{ts}/problems/B", headers=alice.headers)).json()
    assert state == {"problemAlias": "B", "status": "NOT_SUBMITTED", "attempts": 0}
    resp = await client.get(f"/contests/{ts}/problems/A/statement", headers=alice.headers)
    assert resp.content_type == "text/html" and '<h1 class="title">A. Sum A</h1>' in await resp.text()
    await error_of(await client.get(f"/contests/{ts}/problems/Z", headers=alice.headers), 404)
    await error_of(await client.get(f"/contests/{ts}/problems/Z/statement", headers=alice.headers), 404)


async def test_other_team_cannot_read_problems(api: Api, client: TestClient) -> None:
    alice, mallory = await api.register(), await api.register()
    session = await api.session(alice, (await api.team(alice))["id"])
    for suffix in ("", "/problems", "/problems/A", "/problems/A/statement"):
        await error_of(await client.get(f"/contests/{session['id']}{suffix}", headers=mallory.headers), 403)
    await error_of(await client.get("/contests"), 401)


def test_broken_packages_are_skipped_and_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_contest(tmp_path / "x", 1, "Duplicate id").rename(tmp_path / "zz-duplicate")
    write_contest(tmp_path, 1, "Good")
    (tmp_path / "no-yaml").mkdir()
    bad = write_contest(tmp_path, 5, "Bad alias path")
    meta = yaml.safe_load((bad / "contest.yaml").read_text())
    meta["problems"].append({"alias": "C", "path": "../../etc"})
    (bad / "contest.yaml").write_text(yaml.safe_dump(meta))
    missing = write_contest(tmp_path, 6, "Missing tests")
    for f in (missing / "a-sum" / "data" / "secret").glob("*.ans"):
        f.unlink()
    (tmp_path / "broken-yaml").mkdir()
    (tmp_path / "broken-yaml" / "contest.yaml").write_text("id: [1\n")
    with caplog.at_level(logging.ERROR):
        catalog = load_catalog(tmp_path)
    assert list(catalog.contests) == [1] and catalog.contests[1].name == "Good"
    text = caplog.text
    for name in ("no-yaml", "zz-duplicate", bad.name, missing.name, "broken-yaml"):
        assert f"package {name} skipped" in text


def test_sample_contests_load() -> None:
    catalog = load_catalog(Path(__file__).parent.parent / "data" / "contests")
    assert catalog.contests, "the repo ships at least one contest"
    for contest in catalog.contests.values():
        assert len(contest.problems) >= 5
        for problem in contest.problems.values():
            assert problem.statement_html.strip() and len(problem.tests) >= 3
