"""Delivery: slow clients (1013) never delay others, binary (1003), big frames (1009), rate limit,
heartbeat drops, shutdown (1001) with a final snapshot restored on the next start, service events."""

from __future__ import annotations

import asyncio

import orjson
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from server.config import Config
from server.domain.events import ProblemProgressed
from server.keys import BUS, WS_HUB
from server.ws.ratelimit import TokenBucket

from .support.api import Api
from .support.ws import (
    ClientFactory,
    another_tab,
    closed_with,
    connect,
    frame,
    frames_until,
    joined,
    limits_of,
    lobby,
    next_json,
    start,
    sync,
    training,
    until,
)
from .test_ws_messages import open_room


def connection_of(client: TestClient, user_id: str):  # type: ignore[no-untyped-def]
    """The server-side Connection of a user (white box: how the test knows the server gave up)."""
    (conn,) = [c for c in client.app[WS_HUB].connections if str(c.user.id) == user_id]  # type: ignore[index]
    return conn


async def test_a_stalled_client_is_closed_1013_without_delaying_others(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    client = await start(
        aiohttp_client,
        config,
        outbound_max_messages=10_000,
        outbound_max_bytes=2 * 1024 * 1024,
        rate_per_second=100_000.0,
        rate_burst=100_000,
    )
    api = Api(client)
    alice, bob, sam = await api.register(), await api.register(), await api.register()
    team = await api.team(alice, bob, sam)
    session = await api.session(alice, team["id"])
    a = await training(client, alice, session["id"])
    await joined(a, alice.id)
    b = await training(client, bob, session["id"])
    await joined(b, bob.id)
    s = await training(client, sam, session["id"])
    await joined(s, sam.id)  # from here on sam never reads
    await until(a, "USER_JOIN")
    await until(a, "USER_JOIN")
    await until(b, "USER_JOIN")
    stalled = connection_of(client, sam.id)

    code = "x" * 200_000
    for i in range(1000):
        await a.send_str(frame("CODE_EDITOR_UPDATE", code=f"{i}:{code}", problemAlias="A"))
        # alice and bob get every update right away, however far behind sam is
        for ws in (a, b):
            got = await next_json(ws)
            assert got["type"] == "CODE_EDITOR_UPDATE" and got["payload"]["code"].startswith(f"{i}:")
        if stalled.closing:
            break
    else:
        raise AssertionError("the stalled client was never closed")
    assert await until(a, "USER_LEAVE") == {"type": "USER_LEAVE", "payload": {"userId": sam.id}}
    assert await closed_with(s) == (1013, "client too slow: outbound queue full")
    assert await sync(b, bob.id) == [{"type": "USER_LEAVE", "payload": {"userId": sam.id}}]


async def test_binary_frame_closes_1003(aiohttp_client: ClientFactory, config: Config) -> None:
    r = await open_room(await start(aiohttp_client, config))
    await r.b.send_bytes(b"\x00\x01")
    assert await closed_with(r.b) == (1003, "binary frames are not supported")
    assert await next_json(r.a) == {"type": "USER_LEAVE", "payload": {"userId": r.bob.id}}


async def test_frame_over_max_message_bytes_closes_1009(aiohttp_client: ClientFactory, config: Config) -> None:
    r = await open_room(await start(aiohttp_client, config, max_message_bytes=4096))
    await r.b.send_str(frame("CODE_EDITOR_UPDATE", code="x" * 4000, problemAlias="A"))  # still fits
    await until(r.b, "CODE_EDITOR_UPDATE")
    await r.b.send_str(frame("CODE_EDITOR_UPDATE", code="x" * 5000, problemAlias="A"))
    code, _ = await closed_with(r.b)
    assert code == 1009
    assert await until(r.a, "USER_LEAVE") == {"type": "USER_LEAVE", "payload": {"userId": r.bob.id}}


async def test_rate_limit_answers_the_excess_and_keeps_the_socket(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    r = await open_room(await start(aiohttp_client, config))
    settings = limits_of(r.client)
    assert (settings.rate_per_second, settings.rate_burst) == (30.0, 60)
    now = [0.0]
    connection_of(r.client, r.alice.id).bucket = TokenBucket(
        settings.rate_per_second, settings.rate_burst, lambda: now[0]
    )

    async def burst(count: int) -> tuple[int, int]:
        for _ in range(count):
            await r.a.send_str(frame("USER", user={}))
        replies = [await next_json(r.a) for _ in range(count)]
        limited = [m for m in replies if m["type"] == "ERROR"]
        assert all(m["payload"]["code"] == "RATE_LIMITED" and m["payload"]["requestType"] is None for m in limited)
        return count - len(limited), len(limited)

    assert await burst(100) == (60, 40)
    now[0] += 1.0  # a second later: 30 more
    assert await burst(31) == (30, 1)
    assert await sync(r.b, r.bob.id) == [{"type": "USER", "payload": {"user": r.alice.user}}] * 90


async def test_a_missed_heartbeat_drops_the_user(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await start(aiohttp_client, config, ws_heartbeat=0.5)
    api = Api(client)
    alice, bob = await api.register(), await api.register()
    team = await api.team(alice, bob)
    a = await lobby(client, alice, team["id"])
    await joined(a, alice.id)
    seen = asyncio.create_task(frames_until(a, "USER_LEAVE"))  # alice keeps reading, so she answers pings
    params = {"team_id": team["id"], "user_id": bob.id, "token": bob.token}
    b = await client.ws_connect("/ws/lobby", params=params, autoping=False)  # will never answer a ping
    assert await seen == [
        {"type": "USER_JOIN", "payload": {"userId": bob.id}},
        {"type": "USER_LEAVE", "payload": {"userId": bob.id}},
    ]
    await b.close()


async def test_a_silent_client_is_pinged_and_stays_while_it_answers(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    client = await start(aiohttp_client, config, ws_heartbeat=0.4)  # a sweep every 0.2 s
    api = Api(client)
    alice = await api.register()
    team = await api.team(alice)
    params = {"team_id": team["id"], "user_id": alice.id, "token": alice.token}
    ws = await client.ws_connect("/ws/lobby", params=params, autoping=False)  # pings reach this test
    await joined(ws, alice.id)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(4):  # four pings answered by hand: each pong counts as a sign of life
        msg = await ws.receive(timeout=3)
        assert msg.type is WSMsgType.PING
        await ws.pong(msg.data)
    assert loop.time() - started >= 4 * 0.2  # at most one ping per sweep, never a flood
    await ws.ping(b"are you there")  # the server answers pings itself (its autoping is off)
    while (msg := await ws.receive(timeout=3)).type is WSMsgType.PING:
        await ws.pong(msg.data)
    assert (msg.type, msg.data) == (WSMsgType.PONG, b"are you there")
    await ws.send_str(frame("USER", user={}))
    while (msg := await ws.receive(timeout=3)).type is WSMsgType.PING:
        await ws.pong(msg.data)
    assert msg.type is WSMsgType.TEXT and orjson.loads(msg.data)["type"] == "USER"
    assert connection_of(client, alice.id).closing is False
    await ws.close()


async def test_shutdown_closes_1001_and_state_survives_a_restart(aiohttp_client: ClientFactory, config: Config) -> None:
    first = await start(aiohttp_client, config)
    r = await open_room(first)
    ts = r.session["id"]
    big = "# editor\n" * 20_000
    await r.a.send_str(frame("CODE_EDITOR_UPDATE", code=big, problemAlias="A"))
    await r.a.send_str(frame("COMPILER_SELECTED", compiler="gcc_c17", problemAlias="B"))
    await r.a.send_str(frame("PROBLEM_ASSIGNED", user={"id": r.bob.id}, problemAlias="A"))
    await r.a.send_str(frame("CONTROL_TAKEN", userId=r.alice.id))
    await until(r.b, "CONTROL_TAKEN")
    lob = await lobby(first, r.alice, r.team["id"])
    await joined(lob, r.alice.id)
    await lob.send_str(frame("CONTEST_SELECTED", contestId=2))
    await until(lob, "CONTEST_SELECTED")

    readers = [asyncio.create_task(closed_with(ws)) for ws in (r.a, r.b, lob)]
    await first.server.close()
    assert [await t for t in readers] == [(1001, "server shutdown")] * 3

    second = await start(aiohttp_client, config)
    h = r.alice.headers
    assert await (await second.get(f"/training-sessions/{ts}/code/A", headers=h)).json() == {"code": big}
    assert await (await second.get(f"/training-sessions/{ts}/compiler/B", headers=h)).json() == {"compiler": "gcc_c17"}
    assert await (await second.get(f"/training-sessions/{ts}/control/current", headers=h)).json() == {
        "userId": r.alice.id
    }
    assert await (await second.get(f"/training-sessions/{ts}/online", headers=h)).json() == {"users": []}
    selected = await second.get(f"/lobby/{r.team['id']}/selected-contest", headers=h)
    assert await selected.json() == {"contestId": 2}
    ws = await training(second, r.bob, ts)
    state = await joined(ws, r.bob.id)
    assert state["code"]["A"] == big and state["assignments"]["A"] == r.bob.user
    assert [u["id"] for u in state["users"]] == [r.bob.id]


async def test_service_events_reach_their_rooms(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await start(aiohttp_client, config)
    api = Api(client)
    alice = await api.register()
    team = await api.team(alice)
    lob = await lobby(client, alice, team["id"])
    await joined(lob, alice.id)
    session = await api.session(alice, team["id"])
    started = await next_json(lob)
    assert started["type"] == "TRAINING_STARTED"
    assert started["payload"]["id"] == session["id"] and started["payload"]["status"] == "IN_PROCESS"

    ws = await training(client, alice, session["id"])
    await joined(ws, alice.id)
    bus = client.app[BUS]  # type: ignore[index]
    bus.publish(ProblemProgressed(session["id"], "B", "FAILED", 1))
    bus.publish(ProblemProgressed("00000000-0000-4000-8000-000000000000", "B", "FAILED", 1))  # no such room
    assert (await next_json(ws))["payload"] == {"problemAlias": "B", "status": "FAILED"}
    assert (await next_json(ws))["payload"] == {"problemAlias": "B", "attempts": 1}

    resp = await client.post(f"/training-sessions/{session['id']}/complete", json={}, headers=alice.headers)
    assert resp.status == 200, await resp.text()
    finished = {
        "type": "TRAINING_FINISHED",
        "payload": {"id": session["id"], "teamId": team["id"], "contestId": 1, "status": "FINISHED"},
    }
    assert await next_json(ws) == finished
    assert await next_json(lob) == finished
    again = await connect(client, "/ws/training", {"training_session_id": session["id"], "user_id": alice.id}, alice)
    state = await another_tab(again)
    assert state["status"] == "FINISHED"
    assert state["problems"][1] == {"alias": "B", "status": "FAILED", "attempts": 1}
