"""Training sessions: start, find, reconnect, complete, participation, timers and broadcasts."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

from aiohttp.test_utils import TestClient

from server.domain.events import DomainEvent, SessionFinished, SessionStarted
from server.keys import BUS, STORE

from .support.api import Account, Api, error_of, record_events


def announced(events: list[DomainEvent]) -> list[tuple[str, str, bool | None]]:
    """(event, session id, expired) of each session event."""
    return [
        (type(e).__name__, e.session.id, getattr(e, "expired", None))
        for e in events
        if isinstance(e, SessionStarted | SessionFinished)
    ]


async def _team(api: Api) -> tuple[Account, Account, dict[str, object]]:
    alice, bob = await api.register(), await api.register()
    return alice, bob, await api.team(alice, bob)


async def test_create_then_same_running_session(api: Api, client: TestClient) -> None:
    alice, bob, team = await _team(api)
    events = record_events(client)
    resp = await client.post("/training-sessions", json={"team_id": team["id"], "contest_id": 1}, headers=alice.headers)
    assert resp.status == 201
    session = await resp.json()
    uuid.UUID(session["id"])
    assert session["status"] == "IN_PROCESS" and session["dt_finished"] is None
    assert session["team_id"] == team["id"] and session["contest_id"] == 1
    created, ends = datetime.fromisoformat(session["dt_created"]), datetime.fromisoformat(session["ends_at"])
    assert created.utcoffset() is not None and (ends - created).total_seconds() == 18000
    assert announced(events) == [("SessionStarted", session["id"], None)]
    assert isinstance(events[0], SessionStarted) and events[0].session.team_id == team["id"]
    again = await client.post("/training-sessions", json={"team_id": team["id"], "contest_id": 2}, headers=bob.headers)
    assert again.status == 200 and (await again.json())["id"] == session["id"]
    # announced again, so a teammate who went back to the lobby follows the team into the session
    assert announced(events) == [("SessionStarted", session["id"], None)] * 2


async def test_concurrent_starts_make_one_session(api: Api, client: TestClient) -> None:
    alice, bob, team = await _team(api)
    body = {"team_id": team["id"], "contest_id": 1}
    resps = await asyncio.gather(
        *(client.post("/training-sessions", json=body, headers=u.headers) for u in (alice, bob) * 3)
    )
    ids = {(await r.json())["id"] for r in resps}
    assert len(ids) == 1 and sorted(r.status for r in resps) == [200] * 5 + [201]


async def test_find_get_reconnect_complete(api: Api, client: TestClient) -> None:
    alice, bob, team = await _team(api)
    session = await api.session(alice, team["id"])
    resp = await client.get(f"/training-sessions?team_id={team['id']}&contest_id=1", headers=bob.headers)
    assert (await resp.json()) == session
    assert (await (await client.get(f"/training-sessions/{session['id']}", headers=bob.headers)).json()) == session
    resp = await client.get(f"/training-sessions/team/{team['id']}/reconnect", headers=bob.headers)
    assert (await resp.json())["id"] == session["id"]
    events = record_events(client)
    resp = await client.post(f"/training-sessions/{session['id']}/complete", json={}, headers=bob.headers)
    assert resp.status == 200
    finished = await resp.json()
    assert finished["status"] == "FINISHED" and finished["dt_finished"] is not None
    assert announced(events) == [("SessionFinished", session["id"], False)]
    assert isinstance(events[0], SessionFinished) and events[0].session.status == "FINISHED"
    again = await client.post(f"/training-sessions/{session['id']}/complete", json={}, headers=bob.headers)
    assert again.status == 200 and (await again.json()) == finished
    # announced again: the web client leaves the workspace only on this event
    assert announced(events) == [("SessionFinished", session["id"], False)] * 2
    await error_of(await client.get(f"/training-sessions/team/{team['id']}/reconnect", headers=bob.headers), 404)
    new = await api.session(alice, team["id"], 2)
    assert new["id"] != session["id"]
    resp = await client.get(f"/training-sessions?team_id={team['id']}&contest_id=1", headers=bob.headers)
    assert (await resp.json())["id"] == session["id"]


async def test_participation_running_and_finished(api: Api, client: TestClient) -> None:
    alice, _, team = await _team(api)
    session = await api.session(alice, team["id"], 2)
    resp = await client.get(f"/training-sessions/{session['id']}/participation", headers=alice.headers)
    body = await resp.json()
    assert body["contestState"] == "IN_PROGRESS" and 3590 <= body["participantLeftTime"] <= 3600
    assert body["participantStartTime"] == session["dt_created"]
    assert body["participantFinishTime"] == session["ends_at"]
    await client.post(f"/training-sessions/{session['id']}/complete", json={}, headers=alice.headers)
    body = await (await client.get(f"/training-sessions/{session['id']}/participation", headers=alice.headers)).json()
    assert body["contestState"] == "FINISHED" and body["participantLeftTime"] == 0


async def test_timer_finishes_session_with_contest_finished(api: Api, client: TestClient) -> None:
    alice, _, team = await _team(api)
    events = record_events(client)
    finished = asyncio.Event()
    client.app[BUS].subscribe(lambda e: finished.set() if isinstance(e, SessionFinished) else None)
    session = await api.session(alice, team["id"], 3)
    await asyncio.wait_for(finished.wait(), 5)
    assert announced(events) == [("SessionStarted", session["id"], None), ("SessionFinished", session["id"], True)]
    body = await (await client.get(f"/training-sessions/{session['id']}", headers=alice.headers)).json()
    assert body["status"] == "FINISHED"
    # the client's "back to the lobby" dialog after CONTEST_FINISHED calls /complete and waits for this
    resp = await client.post(f"/training-sessions/{session['id']}/complete", json={}, headers=alice.headers)
    assert resp.status == 200 and (await resp.json()) == body
    assert announced(events)[2:] == [("SessionFinished", session["id"], False)]


async def test_session_access_rules(api: Api, client: TestClient) -> None:
    alice, _, team = await _team(api)
    mallory = await api.register()
    other = await api.team(mallory, name="Red")
    session = await api.session(alice, team["id"])
    for path in (
        f"/training-sessions/{session['id']}",
        f"/training-sessions/{session['id']}/participation",
        f"/training-sessions?team_id={team['id']}&contest_id=1",
        f"/training-sessions/team/{team['id']}/reconnect",
    ):
        await error_of(await client.get(path, headers=mallory.headers), 403)
    resp = await client.post(f"/training-sessions/{session['id']}/complete", json={}, headers=mallory.headers)
    await error_of(resp, 403)
    resp = await client.post(
        "/training-sessions", json={"team_id": team["id"], "contest_id": 1}, headers=mallory.headers
    )
    await error_of(resp, 403)
    resp = await client.post(
        "/training-sessions", json={"team_id": other["id"], "contest_id": 99}, headers=mallory.headers
    )
    await error_of(resp, 404)
    resp = await client.post("/training-sessions", json={"team_id": "x", "contest_id": 1}, headers=mallory.headers)
    await error_of(resp, 422)
    await error_of(await client.get(f"/training-sessions/{uuid.uuid4()}", headers=mallory.headers), 404)
    await error_of(await client.get("/training-sessions/not-a-uuid", headers=mallory.headers), 404)
    await error_of(await client.get(f"/training-sessions?team_id={other['id']}", headers=mallory.headers), 422)
    await error_of(await client.get(f"/training-sessions/{session['id']}"), 401)


async def test_ids_in_bodies_are_integers_or_digit_strings(api: Api, client: TestClient) -> None:
    """The web client sends `{"team_id": "1", "contest_id": 1}` (team_id from the route): both forms work."""
    alice, _, team = await _team(api)
    resp = await client.post(
        "/training-sessions", json={"team_id": str(team["id"]), "contest_id": 1}, headers=alice.headers
    )
    assert resp.status == 201, await resp.text()
    started = await resp.json()
    assert started["team_id"] == team["id"] and started["contest_id"] == 1  # answers keep integer ids
    resp = await client.post(
        "/training-sessions", json={"team_id": team["id"], "contest_id": "0001"}, headers=alice.headers
    )
    assert resp.status == 200 and (await resp.json())["id"] == started["id"]
    for bad in (
        team["id"] + 0.9,
        float(team["id"]),
        True,
        None,
        "",
        " 1",
        "1 ",
        "-1",
        "+1",
        "1e3",
        "0x1",
        "١",  # an Arabic-Indic digit: str.isdigit() says yes, ids are ASCII
        "0",
        0,
        -1,
        str(2**63),
        2**63,
        "9" * 5000,
        [1],
        {"id": 1},
    ):
        resp = await client.post("/training-sessions", json={"team_id": bad, "contest_id": 1}, headers=alice.headers)
        error = await error_of(resp, 422)
        assert "team_id" in error["details"]["fields"], bad


async def test_a_session_past_its_end_is_finished_when_next_asked(api: Api, client: TestClient) -> None:
    alice, _, team = await _team(api)
    old = await api.session(alice, team["id"])
    # its timer is still armed for hours: only the stored end moves, as if the timer had failed
    await client.app[STORE].db.write(
        "UPDATE training_sessions SET ends_at = ? WHERE id = ?", ("2000-01-01T00:00:00+00:00", old["id"])
    )
    events = record_events(client)
    await error_of(await client.get(f"/training-sessions/team/{team['id']}/reconnect", headers=alice.headers), 404)
    assert announced(events) == [("SessionFinished", old["id"], True)]
    resp = await client.post("/training-sessions", json={"team_id": team["id"], "contest_id": 1}, headers=alice.headers)
    assert resp.status == 201 and (await resp.json())["id"] != old["id"]
