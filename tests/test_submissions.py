"""Submissions through the real app and the real judge: storage, verdicts, problem states, broadcasts."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import aiohttp
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config

from .support.api import Api, error_of
from .support.submissions import BROKEN_C, SUM_CPP, SUM_PY, WRONG_PY, Verdicts, form, submit
from .support.ws import ClientFactory, frames_until, joined, training, until


async def test_submission_is_stored_pending_then_judged_with_states(api: Api, client: TestClient) -> None:
    alice, bob = await api.register(), await api.register()
    session = await api.session(alice, (await api.team(alice, bob))["id"])
    ts = session["id"]
    verdicts = Verdicts(client)
    wrong = await submit(client, alice, ts, WRONG_PY)
    pending = next(e for e in verdicts.events if e.type == "SUBMISSION_VERDICT_PENDING")
    assert pending.room == "training" and pending.room_id == ts
    assert pending.payload["id"] == wrong and pending.payload["verdict"] == "No report"
    assert pending.payload["authorId"] == alice.id and pending.payload["upsolving"] is False
    assert (await verdicts.final(wrong))["verdict"] == "WrongAnswer"
    ok = await submit(client, bob, ts, SUM_CPP, compiler="gcc_cpp20")
    final = await verdicts.final(ok)
    assert final["verdict"] == "OK" and final["test"] == 0 and final["score"] == 1
    again = await submit(client, bob, ts, WRONG_PY + b"# bob's own try\n")
    assert (await verdicts.final(again))["verdict"] == "WrongAnswer"

    status = [(e.payload["status"]) for e in verdicts.events if e.type == "PROBLEM_STATUS_UPDATED"]
    attempts = [(e.payload["attempts"]) for e in verdicts.events if e.type == "PROBLEM_ATTEMPTS_UPDATED"]
    assert status == ["FAILED", "PASSED", "PASSED"] and attempts == [1, 2, 3]
    state = await (await client.get(f"/contests/{ts}/problems/A", headers=alice.headers)).json()
    assert state == {"problemAlias": "A", "status": "PASSED", "attempts": 3}
    problems = (await (await client.get(f"/contests/{ts}/problems", headers=alice.headers)).json())["problems"]
    assert [(p["alias"], p["status"], p["attempts"]) for p in problems] == [
        ("A", "PASSED", 3),
        ("B", "NOT_SUBMITTED", 0),
    ]

    listing = await (await client.get(f"/training-sessions/{ts}/submissions", headers=alice.headers)).json()
    assert listing["count"] == 3 and [s["id"] for s in listing["submissions"]] == [again, ok, wrong]
    by_problem = await (
        await client.get(f"/training-sessions/{ts}/submissions/problem/B", headers=alice.headers)
    ).json()
    assert by_problem == {"count": 0, "submissions": []}
    short = await (await client.get(f"/training-sessions/{ts}/submissions/{wrong}", headers=alice.headers)).json()
    assert short["verdict"] == "WrongAnswer" and short["test"] == 1 and short["compiler"] == "python3_docker"
    full = await (await client.get(f"/training-sessions/{ts}/submissions/{ok}/full", headers=alice.headers)).json()
    assert full["source"] == SUM_CPP.decode() and isinstance(full["compileLog"], str)
    assert [t["testName"] for t in full["checkerLog"]] == ["sample/01", "secret/02", "secret/03", "secret/04"]
    assert all(t["verdict"] == "OK" and t["sequenceNumber"] == i for i, t in enumerate(full["checkerLog"], 1))


async def test_a_repeated_source_is_refused_as_duplicate(api: Api, client: TestClient) -> None:
    """The same source, compiler and problem twice in one session: 409 with the original backend's detail."""
    alice, bob = await api.register(), await api.register()
    ts = (await api.session(alice, (await api.team(alice, bob))["id"]))["id"]
    verdicts = Verdicts(client)
    first = await submit(client, alice, ts, SUM_PY)
    url = f"/training-sessions/{ts}/submissions"
    resp = await client.post(url, data=form(SUM_PY), headers=bob.headers)  # a teammate's copy counts too
    assert resp.status == 409 and resp.content_type == "application/json"
    body = await resp.json()
    assert set(body) == {"error", "detail"} and body["error"]["code"] == "DUPLICATE_SUBMISSION"
    assert body["error"]["details"] == {"runId": first}
    assert body["detail"]["message"].startswith("Duplicate submission")  # what the client matches
    # a different compiler, problem or source is a new submission
    for data in (form(SUM_PY, problem="B"), form(SUM_PY + b"\n"), form(SUM_CPP, compiler="gcc_cpp20")):
        resp = await client.post(url, data=data, headers=alice.headers)
        assert resp.status == 201, await resp.text()
    # two identical new sources at once: exactly one is stored
    twin = b"print(sum(map(int, input().split())))\n"
    resps = await asyncio.gather(*(client.post(url, data=form(twin), headers=alice.headers) for _ in range(4)))
    assert sorted(r.status for r in resps) == [201, 409, 409, 409]
    listing = await (await client.get(url, headers=alice.headers)).json()
    assert listing["count"] == 5
    pending = [e for e in verdicts.events if e.type == "SUBMISSION_VERDICT_PENDING"]
    assert len(pending) == 5  # nothing announced for a refused one
    # another session may submit the same source
    other = await api.register()
    ts_other = (await api.session(other, (await api.team(other))["id"]))["id"]
    await submit(client, other, ts_other, SUM_PY)


async def test_compilation_error_keeps_log(api: Api, client: TestClient) -> None:
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, BROKEN_C, compiler="gcc_c17", problem="B")
    assert (await verdicts.final(run))["verdict"] == "CompilationError"
    full = await (await client.get(f"/training-sessions/{ts}/submissions/{run}/full", headers=alice.headers)).json()
    assert "error" in full["compileLog"] and full["checkerLog"] == []


async def test_upsolving_after_finish_changes_no_state(api: Api, client: TestClient) -> None:
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    await client.post(f"/training-sessions/{ts}/complete", json={}, headers=alice.headers)
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, SUM_PY)
    final = await verdicts.final(run)
    assert final["verdict"] == "OK" and final["upsolving"] is True
    assert not [e for e in verdicts.events if e.type.startswith("PROBLEM_")]
    state = await (await client.get(f"/contests/{ts}/problems/A", headers=alice.headers)).json()
    assert state["status"] == "NOT_SUBMITTED"


async def test_submission_validation_and_access(api: Api, client: TestClient) -> None:
    alice, mallory = await api.register(), await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    url = f"/training-sessions/{ts}/submissions"
    cases = [
        (form(SUM_PY, compiler="pascal"), 422),
        (form(SUM_PY, problem="Z"), 422),
        (form(b"   "), 422),
        (form(b"x" * 300_000), 413),
    ]
    for body, status in cases:
        await error_of(await client.post(url, data=body, headers=alice.headers), status)
    missing = aiohttp.FormData(default_to_multipart=True)
    missing.add_field("compiler", "gcc_c17")
    error = await error_of(await client.post(url, data=missing, headers=alice.headers), 422)
    assert set(error["details"]["fields"]) == {"file", "problem"}
    await error_of(await client.post(url, json={"file": "x"}, headers=alice.headers), 400)
    await error_of(await client.post(url, data=form(SUM_PY), headers=mallory.headers), 403)
    await error_of(await client.post(url, data=form(SUM_PY)), 401)
    await error_of(await client.get(url, headers=mallory.headers), 403)
    await error_of(await client.get(f"{url}/12345", headers=alice.headers), 404)
    await error_of(await client.get(f"{url}/abc", headers=alice.headers), 422)
    listing = await (await client.get(url, headers=alice.headers)).json()
    assert listing == {"count": 0, "submissions": []}


async def test_other_sessions_submission_is_not_found(api: Api, client: TestClient) -> None:
    alice, bob = await api.register(), await api.register()
    ts_a = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    ts_b = (await api.session(bob, (await api.team(bob))["id"]))["id"]
    run = await submit(client, alice, ts_a, SUM_PY)
    await error_of(await client.get(f"/training-sessions/{ts_b}/submissions/{run}", headers=bob.headers), 404)
    await error_of(await client.get(f"/training-sessions/{ts_b}/submissions/{run}/full", headers=bob.headers), 404)


async def test_verdicts_reach_the_training_room_live(api: Api, client: TestClient) -> None:
    alice, bob = await api.register(), await api.register()
    ts = (await api.session(alice, (await api.team(alice, bob))["id"]))["id"]
    watcher = await training(client, bob, ts)
    await joined(watcher, bob.id)
    run = await submit(client, alice, ts, SUM_PY, problem="B")
    pending = await until(watcher, "SUBMISSION_VERDICT_PENDING")
    assert pending["payload"]["id"] == run and pending["payload"]["verdict"] == "No report"
    frames = await frames_until(watcher, "PROBLEM_ATTEMPTS_UPDATED")
    assert [f["type"] for f in frames] == [
        "SUBMISSION_VERDICT_RETRIEVED",
        "SUBMISSION_VERDICT_RETRIEVED",
        "PROBLEM_STATUS_UPDATED",
        "PROBLEM_ATTEMPTS_UPDATED",
    ]
    # the web client ignores PENDING and shows "testing" for a RETRIEVED whose verdict is "No report"
    assert frames[0]["payload"] == pending["payload"]
    assert frames[1]["payload"]["verdict"] == "OK" and frames[1]["payload"]["id"] == run
    assert frames[2]["payload"] == {"problemAlias": "B", "status": "PASSED"}
    assert frames[3]["payload"] == {"problemAlias": "B", "attempts": 1}
    late = await training(client, alice, ts)
    state = await joined(late, alice.id)
    assert {"alias": "B", "status": "PASSED", "attempts": 1} in state["problems"]
    await watcher.close()
    await late.close()


async def test_a_team_submits_at_most_submissions_per_minute(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await aiohttp_client(create_app(replace(config, submissions_per_minute=2)), cookie_jar=DummyCookieJar())
    api = Api(client)
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    ts = (await api.session(alice, (await api.team(alice, bob))["id"]))["id"]
    first = await submit(client, alice, ts, SUM_PY)
    again = await client.post(f"/training-sessions/{ts}/submissions", data=form(SUM_PY), headers=bob.headers)
    assert again.status == 409  # a refused duplicate costs nothing
    await submit(client, bob, ts, WRONG_PY)  # the team's second: teammates share the budget
    resp = await client.post(f"/training-sessions/{ts}/submissions", data=form(b"print(3)\n"), headers=bob.headers)
    error = await error_of(resp, 429)
    assert error["code"] == "TOO_MANY_REQUESTS" and error["details"]["limit"] == 2
    assert 1 <= int(resp.headers["Retry-After"]) <= 30 and "2 a minute" in error["message"]
    listed = await (await client.get(f"/training-sessions/{ts}/submissions", headers=alice.headers)).json()
    assert listed["count"] == 2 and listed["submissions"][-1]["id"] == first
    other_ts = (await api.session(carol, (await api.team(carol))["id"]))["id"]
    await submit(client, carol, other_ts, SUM_PY)  # another team has its own budget


async def test_submissions_sent_together_cannot_pass_the_per_minute_limit(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    """The budget is spent before the submission is stored, so one check cannot let a burst through."""
    client = await aiohttp_client(create_app(replace(config, submissions_per_minute=2)), cookie_jar=DummyCookieJar())
    api = Api(client)
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    sources = [f"print({n})\n".encode() for n in range(6)]
    answers = await asyncio.gather(
        *(client.post(f"/training-sessions/{ts}/submissions", data=form(s), headers=alice.headers) for s in sources)
    )
    assert sorted(a.status for a in answers) == [201, 201, 429, 429, 429, 429]
    listed = await (await client.get(f"/training-sessions/{ts}/submissions", headers=alice.headers)).json()
    assert listed["count"] == 2
