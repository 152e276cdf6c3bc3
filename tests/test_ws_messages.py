"""Client messages: each type applied and echoed to everyone, the ERROR table, control, limits, order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient

from server.config import Config

from .support.api import Account, Api, error_of
from .support.ws import (
    ClientFactory,
    another_tab,
    frame,
    joined,
    limits_of,
    lobby,
    next_json,
    start,
    sync,
    training,
    until,
)


@dataclass
class Room:
    """Alice and Bob in one training room; Carol is on another team."""

    client: TestClient
    alice: Account
    bob: Account
    carol: Account
    team: dict[str, Any]
    session: dict[str, Any]
    a: ClientWebSocketResponse
    b: ClientWebSocketResponse


async def open_room(client: TestClient) -> Room:
    api = Api(client)
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    team = await api.team(alice, bob)
    await api.team(carol, name="Other")
    session = await api.session(alice, team["id"])
    a = await training(client, alice, session["id"])
    await joined(a, alice.id)
    b = await training(client, bob, session["id"])
    await joined(b, bob.id)
    assert (await next_json(a))["type"] == "USER_JOIN"
    return Room(client, alice, bob, carol, team, session, a, b)


@pytest.fixture
async def room(aiohttp_client: ClientFactory, config: Config) -> Room:
    return await open_room(await start(aiohttp_client, config))


async def both(r: Room) -> tuple[dict[str, Any], dict[str, Any]]:
    return await next_json(r.a), await next_json(r.b)


async def test_user_is_replaced_by_the_stored_object(room: Room) -> None:
    await room.a.send_str(frame("USER", user={"id": "999", "login": "impostor"}))
    expected = {"type": "USER", "payload": {"user": room.alice.user}}
    assert await both(room) == (expected, expected)


async def test_code_update_is_echoed_with_sender(room: Room) -> None:
    await room.a.send_str(frame("CODE_EDITOR_UPDATE", code="print(1)", problemAlias="A", userId="spoofed"))
    expected = {
        "type": "CODE_EDITOR_UPDATE",
        "payload": {"code": "print(1)", "problemAlias": "A", "userId": room.alice.id},
    }
    assert await both(room) == (expected, expected)
    resp = await room.client.get(f"/training-sessions/{room.session['id']}/code/A", headers=room.bob.headers)
    assert await resp.json() == {"code": "print(1)"}


async def test_control_accepts_string_or_int_and_is_enforced(room: Room) -> None:
    ts = room.session["id"]
    resp = await room.client.get(f"/training-sessions/{ts}/control/current", headers=room.alice.headers)
    assert await resp.json() == {"userId": None}
    await room.b.send_str(frame("CONTROL_TAKEN", userId=int(room.bob.id)))
    expected = {"type": "CONTROL_TAKEN", "payload": {"userId": room.bob.id}}
    assert await both(room) == (expected, expected)
    resp = await room.client.get(f"/training-sessions/{ts}/control/current", headers=room.alice.headers)
    assert await resp.json() == {"userId": room.bob.id}

    await room.a.send_str(frame("CODE_EDITOR_UPDATE", code="x", problemAlias="A"))
    error = await next_json(room.a)
    assert error["type"] == "ERROR" and error["payload"]["code"] == "NOT_IN_CONTROL"
    assert error["payload"]["requestType"] == "CODE_EDITOR_UPDATE"
    assert await sync(room.b, room.bob.id) == []  # nothing was broadcast

    await room.a.send_str(frame("CONTROL_TAKEN", userId=room.alice.id))
    await until(room.a, "CONTROL_TAKEN")
    await room.a.send_str(frame("CODE_EDITOR_UPDATE", code="x", problemAlias="A"))
    assert (await until(room.b, "CODE_EDITOR_UPDATE"))["payload"]["userId"] == room.alice.id


async def test_assignment_substitutes_the_member_and_can_be_cleared(room: Room) -> None:
    await room.a.send_str(frame("PROBLEM_ASSIGNED", user={"id": room.bob.id, "login": "fake"}, problemAlias="B"))
    expected = {"type": "PROBLEM_ASSIGNED", "payload": {"user": room.bob.user, "problemAlias": "B"}}
    assert await both(room) == (expected, expected)
    resp = await room.client.get(f"/contests/{room.session['id']}/problems", headers=room.alice.headers)
    problems = {p["alias"]: p for p in (await resp.json())["problems"]}
    assert problems["B"]["assignedUser"] == room.bob.user and problems["A"]["assignedUser"] is None
    await room.b.send_str(frame("PROBLEM_ASSIGNED", user=None, problemAlias="B"))
    expected = {"type": "PROBLEM_ASSIGNED", "payload": {"user": None, "problemAlias": "B"}}
    assert await both(room) == (expected, expected)


async def test_compiler_selection(room: Room) -> None:
    ts = room.session["id"]
    resp = await room.client.get(f"/training-sessions/{ts}/compiler/A", headers=room.alice.headers)
    assert await resp.json() == {"compiler": None}
    await room.b.send_str(frame("COMPILER_SELECTED", compiler="gcc_cpp20", problemAlias="A"))
    expected = {"type": "COMPILER_SELECTED", "payload": {"compiler": "gcc_cpp20", "problemAlias": "A"}}
    assert await both(room) == (expected, expected)
    resp = await room.client.get(f"/training-sessions/{ts}/compiler/A", headers=room.alice.headers)
    assert await resp.json() == {"compiler": "gcc_cpp20"}


async def test_a_late_joiner_sees_the_room_as_it_is(room: Room) -> None:
    await room.a.send_str(frame("CODE_EDITOR_UPDATE", code="a = 1", problemAlias="A"))
    await room.a.send_str(frame("COMPILER_SELECTED", compiler="python3_docker", problemAlias="A"))
    await room.a.send_str(frame("PROBLEM_ASSIGNED", user={"id": room.alice.id}, problemAlias="A"))
    await room.a.send_str(frame("CONTROL_TAKEN", userId=room.alice.id))
    await until(room.a, "CONTROL_TAKEN")
    await room.b.close()
    again = await training(room.client, room.bob, room.session["id"])
    state = await joined(again, room.bob.id)
    assert state["code"] == {"A": "a = 1", "B": ""}
    assert state["compilers"] == {"A": "python3_docker", "B": None}
    assert state["assignments"] == {"A": room.alice.user, "B": None}
    assert state["controllerId"] == room.alice.id
    assert [u["id"] for u in state["users"]] == [room.alice.id, room.bob.id]


async def test_everyone_sees_one_order(room: Room) -> None:
    for i in range(20):  # both send without waiting, so the server interleaves them
        await room.a.send_str(frame("CODE_EDITOR_UPDATE", code=f"a{i}", problemAlias="A"))
        await room.b.send_str(frame("CODE_EDITOR_UPDATE", code=f"b{i}", problemAlias="A"))
    seen_a = [(await until(room.a, "CODE_EDITOR_UPDATE"))["payload"]["code"] for _ in range(40)]
    seen_b = [(await until(room.b, "CODE_EDITOR_UPDATE"))["payload"]["code"] for _ in range(40)]
    assert seen_a == seen_b
    assert [c for c in seen_a if c[0] == "a"] == [f"a{i}" for i in range(20)]
    resp = await room.client.get(f"/training-sessions/{room.session['id']}/code/A", headers=room.alice.headers)
    assert (await resp.json())["code"] == seen_a[-1]


_BAD: list[tuple[str, str, str | None]] = [
    ("not json", "INVALID_JSON", None),
    ("[1, 2]", "INVALID_MESSAGE", None),
    ('{"type": "USER"}', "INVALID_MESSAGE", "USER"),
    ('{"payload": {}}', "INVALID_MESSAGE", None),
    ('{"type": 5, "payload": {}}', "INVALID_MESSAGE", None),
    ('{"type": "USER", "payload": []}', "INVALID_MESSAGE", "USER"),
    (frame("NOPE"), "UNKNOWN_TYPE", "NOPE"),
    (frame("USER_JOIN", userId="1"), "FORBIDDEN", "USER_JOIN"),
    (frame("ROOM_STATE"), "FORBIDDEN", "ROOM_STATE"),
    (frame("CONTEST_SELECTED", contestId=1), "UNKNOWN_TYPE", "CONTEST_SELECTED"),
    (frame("USER"), "INVALID_MESSAGE", "USER"),
    (frame("CODE_EDITOR_UPDATE", code=5, problemAlias="A"), "INVALID_MESSAGE", "CODE_EDITOR_UPDATE"),
    (frame("CODE_EDITOR_UPDATE", code="x"), "INVALID_MESSAGE", "CODE_EDITOR_UPDATE"),
    (frame("CODE_EDITOR_UPDATE", code="x", problemAlias="Z"), "INVALID_MESSAGE", "CODE_EDITOR_UPDATE"),
    (frame("CONTROL_TAKEN", userId=True), "INVALID_MESSAGE", "CONTROL_TAKEN"),
    (frame("CONTROL_TAKEN", userId="abc"), "INVALID_MESSAGE", "CONTROL_TAKEN"),
    (frame("CONTROL_TAKEN"), "INVALID_MESSAGE", "CONTROL_TAKEN"),
    (frame("PROBLEM_ASSIGNED", problemAlias="A"), "INVALID_MESSAGE", "PROBLEM_ASSIGNED"),
    (frame("PROBLEM_ASSIGNED", user={"login": "x"}, problemAlias="A"), "INVALID_MESSAGE", "PROBLEM_ASSIGNED"),
    (frame("PROBLEM_ASSIGNED", user=None, problemAlias="Z"), "INVALID_MESSAGE", "PROBLEM_ASSIGNED"),
    (frame("COMPILER_SELECTED", compiler="cobol", problemAlias="A"), "INVALID_MESSAGE", "COMPILER_SELECTED"),
    (frame("COMPILER_SELECTED", compiler=["gcc_c17"], problemAlias="A"), "INVALID_MESSAGE", "COMPILER_SELECTED"),
]


@pytest.mark.parametrize(("text", "code", "request_type"), _BAD, ids=[f"{i}-{c}" for i, (_, c, _) in enumerate(_BAD)])
async def test_invalid_messages_get_an_error_and_change_nothing(
    room: Room, text: str, code: str, request_type: str | None
) -> None:
    await room.a.send_str(text)
    error = await next_json(room.a)
    assert error["type"] == "ERROR", error
    assert error["payload"]["code"] == code
    assert error["payload"]["requestType"] == request_type
    assert isinstance(error["payload"]["message"], str) and isinstance(error["payload"]["details"], dict)
    assert await sync(room.a, room.alice.id) == []  # the sender's socket is still open
    # the other member saw nothing before alice's USER
    assert await sync(room.b, room.bob.id) == [{"type": "USER", "payload": {"user": room.alice.user}}]


async def test_rule_errors_name_the_cause(room: Room) -> None:
    await room.a.send_str(frame("CONTROL_TAKEN", userId=room.bob.id))
    error = (await next_json(room.a))["payload"]
    assert error["code"] == "FORBIDDEN" and error["details"] == {"userId": room.bob.id}
    await room.a.send_str(frame("PROBLEM_ASSIGNED", user={"id": room.carol.id}, problemAlias="A"))
    error = (await next_json(room.a))["payload"]
    assert error["code"] == "FORBIDDEN" and error["details"] == {"userId": room.carol.id}
    await room.a.send_str(frame("CODE_EDITOR_UPDATE", code=7, problemAlias="A"))
    error = (await next_json(room.a))["payload"]
    assert error["details"] == {"fields": {"code": ["Not a valid string."]}}


async def test_lobby_messages(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await start(aiohttp_client, config)
    api = Api(client)
    alice, bob = await api.register(), await api.register()
    team = await api.team(alice, bob)
    a = await lobby(client, alice, team["id"])
    await joined(a, alice.id)
    b = await lobby(client, bob, team["id"])
    await joined(b, bob.id)
    await next_json(a)
    await a.send_str(frame("CONTEST_SELECTED", contestId=2))
    expected = {"type": "CONTEST_SELECTED", "payload": {"contestId": 2}}
    assert (await next_json(a), await next_json(b)) == (expected, expected)
    resp = await client.get(f"/lobby/{team['id']}/selected-contest", headers=bob.headers)
    assert await resp.json() == {"contestId": 2}
    # ids in client messages may be strings of digits (the client takes them from routes); answers use ints
    await b.send_str(frame("CONTEST_SELECTED", contestId="1"))
    expected = {"type": "CONTEST_SELECTED", "payload": {"contestId": 1}}
    assert (await next_json(a), await next_json(b)) == (expected, expected)
    await a.send_str(frame("CONTEST_SELECTED", contestId=2))
    await next_json(a)
    await next_json(b)
    for text, code in [
        (frame("CONTEST_SELECTED", contestId=99), "INVALID_MESSAGE"),
        (frame("CONTEST_SELECTED", contestId="x"), "INVALID_MESSAGE"),
        (frame("CONTEST_SELECTED", contestId=2.5), "INVALID_MESSAGE"),
        (frame("CONTEST_SELECTED", contestId=True), "INVALID_MESSAGE"),
        (frame("CONTEST_SELECTED", contestId="9" * 5000), "INVALID_MESSAGE"),
        (frame("CODE_EDITOR_UPDATE", code="x", problemAlias="A"), "UNKNOWN_TYPE"),
    ]:
        await a.send_str(text)
        assert (await next_json(a))["payload"]["code"] == code
    assert await sync(b, bob.id) == []
    c = await lobby(client, alice, team["id"])
    assert (await another_tab(c))["selectedContestId"] == 2


async def test_code_larger_than_max_code_bytes(aiohttp_client: ClientFactory, config: Config) -> None:
    r = await open_room(await start(aiohttp_client, config, max_code_bytes=1000))
    await r.a.send_str(frame("CODE_EDITOR_UPDATE", code="é" * 501, problemAlias="A"))
    error = (await next_json(r.a))["payload"]
    assert error["code"] == "INVALID_MESSAGE" and error["details"]["maxBytes"] == 1000
    await r.a.send_str(frame("CODE_EDITOR_UPDATE", code="é" * 500, problemAlias="A"))
    assert (await next_json(r.b))["payload"]["code"] == "é" * 500


async def test_editor_text_beyond_the_room_total_is_refused(aiohttp_client: ClientFactory, config: Config) -> None:
    r = await open_room(await start(aiohttp_client, config, max_code_bytes=1000, max_room_code_bytes=1500))
    await r.a.send_str(frame("CODE_EDITOR_UPDATE", code="a" * 1000, problemAlias="A"))
    assert (await next_json(r.b))["payload"]["code"] == "a" * 1000
    await r.a.send_str(frame("CODE_EDITOR_UPDATE", code="b" * 600, problemAlias="B"))
    error = (await until(r.a, "ERROR"))["payload"]
    assert error["code"] == "INVALID_MESSAGE" and error["details"] == {"problemAlias": "B", "maxRoomBytes": 1500}
    resp = await r.client.get(f"/training-sessions/{r.session['id']}/code/B", headers=r.bob.headers)
    assert await resp.json() == {"code": ""}


async def test_rest_getters_check_access_and_aliases(room: Room) -> None:
    ts, client = room.session["id"], room.client
    assert await error_of(await client.get(f"/training-sessions/{ts}/code/Z", headers=room.alice.headers), 404)
    assert await error_of(await client.get(f"/training-sessions/{ts}/compiler/Z", headers=room.alice.headers), 404)
    for path in ("online", "code/A", "control/current", "compiler/A"):
        await error_of(await client.get(f"/training-sessions/{ts}/{path}", headers=room.carol.headers), 403)
        await error_of(await client.get(f"/training-sessions/{ts}/{path}"), 401)
    for path in ("online", "selected-contest"):
        await error_of(await client.get(f"/lobby/{room.team['id']}/{path}", headers=room.carol.headers), 403)
        await error_of(await client.get(f"/lobby/999999/{path}", headers=room.carol.headers), 404)
    resp = await client.get(f"/training-sessions/{ts}/online", headers=room.alice.headers)
    assert await resp.json() == {"users": [room.alice.user, room.bob.user]}


async def test_a_huge_unknown_type_is_echoed_short(room: Room) -> None:
    await room.a.send_str(frame("X" * 500_000))
    msg = await room.a.receive(timeout=10)
    error = json.loads(msg.data)
    assert error["payload"]["code"] == "UNKNOWN_TYPE" and error["payload"]["requestType"] == "X" * 64
    assert len(msg.data) < 1000


async def test_an_editor_burst_is_coalesced_never_refused(room: Room) -> None:
    """Select-all + Tab on 120 lines: the client sends 121 updates at once, one per changed line, no debounce.

    None may be refused, and every peer (the sender included) and `GET /code` must end on the last text.
    """
    lines = [f"line {i}" for i in range(120)]
    texts = ["\n".join(lines)]
    for i in range(120):
        lines[i] = "    " + lines[i]
        texts.append("\n".join(lines))
    for text in texts:
        await room.a.send_str(frame("CODE_EDITOR_UPDATE", code=text, problemAlias="A"))
    for ws in (room.a, room.b):
        seen = []
        while not seen or seen[-1] != texts[-1]:
            got = await next_json(ws)
            assert got["type"] == "CODE_EDITOR_UPDATE", got  # no ERROR (RATE_LIMITED) for anything sent
            seen.append(got["payload"]["code"])
        # applied in the order sent: a skipped update is always older than one applied after it
        assert [texts.index(t) for t in seen] == sorted(texts.index(t) for t in seen)
    resp = await room.client.get(f"/training-sessions/{room.session['id']}/code/A", headers=room.bob.headers)
    assert (await resp.json())["code"] == texts[-1]
    assert await sync(room.b, room.bob.id) == []  # nothing older arrives after the last text


async def test_bursts_on_two_problems_both_end_on_their_last_text(room: Room) -> None:
    for i in range(150):
        alias = "AB"[i % 2]
        await room.a.send_str(frame("CODE_EDITOR_UPDATE", code=f"{alias} v{i}", problemAlias=alias))
    last = {"A": "A v148", "B": "B v149"}
    latest: dict[str, str] = {}
    while latest != last:
        got = await next_json(room.b)
        assert got["type"] == "CODE_EDITOR_UPDATE"
        latest[got["payload"]["problemAlias"]] = got["payload"]["code"]
    for alias, text in last.items():
        resp = await room.client.get(f"/training-sessions/{room.session['id']}/code/{alias}", headers=room.bob.headers)
        assert (await resp.json())["code"] == text


async def test_a_socket_closing_mid_burst_still_applies_its_last_update(room: Room) -> None:
    for i in range(100):
        await room.a.send_str(frame("CODE_EDITOR_UPDATE", code=f"v{i}", problemAlias="A"))
    await room.a.close()  # the tab is closed right after typing: what was received is applied, not dropped
    while (got := await next_json(room.b))["type"] == "CODE_EDITOR_UPDATE" and got["payload"]["code"] != "v99":
        pass
    assert got == {
        "type": "CODE_EDITOR_UPDATE",
        "payload": {"code": "v99", "problemAlias": "A", "userId": room.alice.id},
    }
    assert (await next_json(room.b))["type"] == "USER_LEAVE"  # applied before alice left


async def test_other_messages_beyond_the_rate_are_refused(room: Room) -> None:
    burst = limits_of(room.client).rate_burst
    for _ in range(burst + 20):
        await room.a.send_str(frame("USER", user={}))
    limited = 0
    echoes = 0
    while echoes + limited < burst + 20:
        got = await next_json(room.a)
        if got["type"] == "ERROR":
            assert got["payload"]["code"] == "RATE_LIMITED"
            limited += 1
        else:
            echoes += 1
    assert limited >= 10 and echoes >= burst
    # editor updates have their own budget: still applied right after the refused burst
    await room.a.send_str(frame("CODE_EDITOR_UPDATE", code="still typing", problemAlias="A"))
    assert (await until(room.b, "CODE_EDITOR_UPDATE"))["payload"]["code"] == "still typing"
