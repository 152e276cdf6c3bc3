"""Opening sockets: join order, presence, refusals (1008), tokens, trust mode, Origin, capacity, tabs."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from server.config import Config
from server.keys import ROOMS, WS_HUB

from .support.api import Account, Api, error_of
from .support.ws import (
    ClientFactory,
    another_tab,
    closed_with,
    connect,
    frame,
    joined,
    lobby,
    next_json,
    start,
    sync,
    training,
    until,
)


async def test_lobby_join_leave_and_state(api: Api, client: TestClient) -> None:
    alice, bob = await api.register(), await api.register()
    team = await api.team(alice, bob)
    a = await lobby(client, alice, team["id"])
    state = await joined(a, alice.id)
    assert state == {"teamId": team["id"], "users": [alice.user], "selectedContestId": None}

    b = await lobby(client, bob, team["id"])
    state = await joined(b, bob.id)
    assert [u["id"] for u in state["users"]] == [alice.id, bob.id]
    assert await next_json(a) == {"type": "USER_JOIN", "payload": {"userId": bob.id}}

    resp = await client.get(f"/lobby/{team['id']}/online", headers=alice.headers)
    assert await resp.json() == {"users": [alice.user, bob.user]}
    await b.close()
    assert await next_json(a) == {"type": "USER_LEAVE", "payload": {"userId": bob.id}}
    resp = await client.get(f"/teams/{team['id']}/online", headers=alice.headers)
    assert await resp.json() == {"users": [alice.user]}


async def test_training_join_state(api: Api, client: TestClient) -> None:
    alice = await api.register()
    team = await api.team(alice)
    session = await api.session(alice, team["id"])
    ws = await training(client, alice, session["id"])
    state = await joined(ws, alice.id)
    assert state == {
        "trainingSessionId": session["id"],
        "status": "IN_PROCESS",
        "users": [alice.user],
        "controllerId": None,
        "code": {"A": "", "B": ""},
        "compilers": {"A": None, "B": None},
        "assignments": {"A": None, "B": None},
        "problems": [
            {"alias": "A", "status": "NOT_SUBMITTED", "attempts": 0},
            {"alias": "B", "status": "NOT_SUBMITTED", "attempts": 0},
        ],
    }


@pytest.mark.parametrize("how", ["query", "header", "cookie"])
async def test_token_in_query_header_or_cookie(api: Api, client: TestClient, how: str) -> None:
    alice = await api.register()
    team = await api.team(alice)
    ws = await lobby(client, alice, team["id"], how=how)
    await joined(ws, alice.id)


async def test_a_cookie_is_trusted_only_from_our_own_or_a_listed_origin(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    """Cross-site WebSocket hijacking: a foreign page's socket carries the visitor's cookie, even under `*`."""
    for origins in (("*",), ("https://client.example",)):
        client = await start(aiohttp_client, dataclasses.replace(config, allow_origins=origins))
        api = Api(client)
        alice = await api.register()
        team = await api.team(alice)
        params = {"team_id": str(team["id"]), "user_id": alice.id}
        cookie = {"Cookie": f"access_token={alice.token}"}
        own = f"http://{client.host}:{client.port}"
        for origin in (own, "https://client.example") if origins != ("*",) else (own,):
            ws = await client.ws_connect("/ws/lobby", params=params, headers={**cookie, "Origin": origin})
            await joined(ws, alice.id)
            await ws.close()
        evil = {**cookie, "Origin": "https://evil.example"}
        if origins == ("*",):
            ws = await client.ws_connect("/ws/lobby", params=params, headers=evil)
            assert await closed_with(ws) == (1008, "origin not allowed for cookie authentication")
            # an explicit token is not ambient: any origin may use it under "*"
            ws = await client.ws_connect("/ws/lobby", params={**params, "token": alice.token}, headers=evil)
            await joined(ws, alice.id)
            await ws.close()
        # REST with the cookie: the same rule (the original client sends no Authorization for comments)
        resp = await client.get("/user/me", headers={**cookie, "Origin": own})
        assert resp.status == 200 and (await resp.json())["id"] == alice.id
        resp = await client.get("/user/me", headers=cookie)  # same-origin GETs may carry no Origin
        assert resp.status == 200
        await error_of(await client.get("/user/me", headers=evil), 403)
        await error_of(await client.get("/user/me", headers={"Cookie": "access_token=wrong"}), 401)
        await client.close()


async def _refusal(client: TestClient, path: str, params: dict[str, Any], account: Account | None) -> str:
    ws = await connect(client, path, params, account, "query" if account else "none")
    code, reason = await closed_with(ws)
    assert code == 1008, (code, reason)
    return reason


async def test_lobby_refusals(api: Api, client: TestClient) -> None:
    alice, mallory = await api.register(), await api.register()
    team = await api.team(alice)
    other = await api.team(mallory, name="Red")
    tid, aid = team["id"], alice.id
    cases: list[tuple[dict[str, Any], Account | None, str]] = [
        ({"user_id": aid}, alice, "missing team_id"),
        ({"team_id": "x", "user_id": aid}, alice, "bad team_id"),
        ({"team_id": tid}, alice, "missing user_id"),
        ({"team_id": tid, "user_id": "-1"}, alice, "bad user_id"),
        ({"team_id": tid, "user_id": aid}, None, "missing token"),
        ({"team_id": tid, "user_id": aid, "token": "nope"}, None, "invalid token"),
        ({"team_id": tid, "user_id": mallory.id}, alice, "user_id does not match the token"),
        ({"team_id": 999999, "user_id": aid}, alice, "unknown team"),
        ({"team_id": other["id"], "user_id": aid}, alice, "not a member of this team"),
    ]
    for params, account, reason in cases:
        assert await _refusal(client, "/ws/lobby", params, account) == reason, params


async def test_training_refusals(api: Api, client: TestClient) -> None:
    alice, mallory = await api.register(), await api.register()
    await api.team(alice)
    other = await api.team(mallory, name="Red")
    foreign = await api.session(mallory, other["id"])
    aid = alice.id
    cases: list[tuple[dict[str, Any], str]] = [
        ({"user_id": aid}, "missing training_session_id"),
        ({"training_session_id": "not-a-uuid", "user_id": aid}, "bad training_session_id"),
        ({"training_session_id": "00000000-0000-4000-8000-000000000000", "user_id": aid}, "unknown training session"),
        ({"training_session_id": foreign["id"], "user_id": aid}, "not a member of this session's team"),
    ]
    for params, reason in cases:
        assert await _refusal(client, "/ws/training", params, alice) == reason, params


async def test_trust_mode_needs_no_token(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await start(aiohttp_client, dataclasses.replace(config, auth_mode="trust"))
    api = Api(client)
    alice, mallory = await api.register(), await api.register()
    team = await api.team(alice)
    ws = await connect(client, "/ws/lobby", {"team_id": team["id"], "user_id": alice.id}, None, "none")
    await joined(ws, alice.id)
    # membership still holds in trust mode
    params = {"team_id": team["id"], "user_id": mallory.id}
    assert await _refusal(client, "/ws/lobby", params, None) == "not a member of this team"
    assert await _refusal(client, "/ws/lobby", {"team_id": team["id"], "user_id": 424242}, None) == "unknown user"


async def test_origin_is_checked_when_restricted(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await start(aiohttp_client, dataclasses.replace(config, allow_origins=("http://good.example",)))
    api = Api(client)
    alice = await api.register()
    team = await api.team(alice)
    params = {"team_id": team["id"], "user_id": alice.id, "token": alice.token}
    bad = await client.ws_connect("/ws/lobby", params=params, headers={"Origin": "http://evil.example"})
    assert await closed_with(bad) == (1008, "origin not allowed")
    good = await client.ws_connect("/ws/lobby", params=params, headers={"Origin": "http://good.example/"})
    await joined(good, alice.id)


async def test_room_is_full_but_a_member_may_open_another_tab(api: Api, client: TestClient) -> None:
    """Capacity counts distinct users: a fourth user is refused, a third user's second tab is not."""
    users = [await api.register() for _ in range(4)]
    team = await api.team(*users)
    sockets = []
    for user in users[:3]:
        ws = await lobby(client, user, team["id"])
        await joined(ws, user.id)
        sockets.append(ws)
    fourth = await lobby(client, users[3], team["id"])
    assert await closed_with(fourth) == (1008, "room is full")
    again = await lobby(client, users[2], team["id"])
    state = await another_tab(again)
    assert [u["id"] for u in state["users"]] == [u.id for u in users[:3]]
    await sockets[0].send_str(frame("USER", user={}))
    echo = {"type": "USER", "payload": {"user": users[0].user}}
    for ws in (sockets[2], again):  # both tabs of the third user receive the room's messages
        assert await next_json(ws) == echo
    # the second tab announced nobody: the second user saw the third join once, then the echo
    assert await next_json(sockets[1]) == {"type": "USER_JOIN", "payload": {"userId": users[2].id}}
    assert await next_json(sockets[1]) == echo
    fifth = await lobby(client, users[3], team["id"])
    assert await closed_with(fifth) == (1008, "room is full")  # still full: four sockets, three users


async def test_tabs_of_one_user_join_once_and_leave_once(api: Api, client: TestClient) -> None:
    """The web client reconnects after any close but 1000, so two tabs must live side by side."""
    alice, bob = await api.register(), await api.register()
    team = await api.team(alice, bob)
    a = await lobby(client, alice, team["id"])
    await joined(a, alice.id)
    b1 = await lobby(client, bob, team["id"])
    await joined(b1, bob.id)
    assert await next_json(a) == {"type": "USER_JOIN", "payload": {"userId": bob.id}}

    b2 = await lobby(client, bob, team["id"])
    state = await another_tab(b2)
    assert [u["id"] for u in state["users"]] == [alice.id, bob.id]
    await a.send_str(frame("USER", user={}))
    echo = {"type": "USER", "payload": {"user": alice.user}}
    assert await next_json(b1) == echo and await next_json(b2) == echo  # every tab receives the room's messages
    assert await next_json(a) == echo  # alice saw no second USER_JOIN before her own echo
    online = await (await client.get(f"/lobby/{team['id']}/online", headers=alice.headers)).json()
    assert [u["id"] for u in online["users"]] == [alice.id, bob.id]

    await b1.close()
    await b2.send_str(frame("USER", user={}))
    assert await next_json(a) == {"type": "USER", "payload": {"user": bob.user}}  # and no USER_LEAVE before it
    assert await sync(a, alice.id) == []
    online = await (await client.get(f"/lobby/{team['id']}/online", headers=alice.headers)).json()
    assert [u["id"] for u in online["users"]] == [alice.id, bob.id]
    await b2.close()
    assert await next_json(a) == {"type": "USER_LEAVE", "payload": {"userId": bob.id}}


async def test_tabs_beyond_the_cap_close_the_oldest_with_1000(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await start(aiohttp_client, config, max_sockets_per_user=2)
    api = Api(client)
    alice, bob = await api.register(), await api.register()
    ts = (await api.session(alice, (await api.team(alice, bob))["id"]))["id"]
    watcher = await training(client, bob, ts)
    await joined(watcher, bob.id)
    tabs = [await training(client, alice, ts)]
    await joined(tabs[0], alice.id)
    for _ in range(2):
        tabs.append(await training(client, alice, ts))
        await another_tab(tabs[-1])
    # sent before the client read its close frame: the server is closing it, so it must change nothing
    await tabs[0].send_str(frame("CODE_EDITOR_UPDATE", code="stale tab", problemAlias="A"))
    # the oldest tab goes with 1000, the one code after which the web client does not reconnect
    assert await closed_with(tabs[0]) == (1000, "too many connections of this user; closing the oldest")
    hub = client.app[WS_HUB]
    async with asyncio.timeout(10):  # the old handler has read every frame once its connection is gone
        while len(hub.connections) > 3:  # noqa: ASYNC110 - the hub exposes no event for a handler ending
            await asyncio.sleep(0.01)
    resp = await client.get(f"/training-sessions/{ts}/code/A", headers=alice.headers)
    assert (await resp.json())["code"] == ""  # a closed tab's late frames change nothing
    # bob saw alice join once and never leave
    assert await sync(watcher, bob.id) == [{"type": "USER_JOIN", "payload": {"userId": alice.id}}]
    await tabs[1].send_str(frame("CODE_EDITOR_UPDATE", code="live tab", problemAlias="A"))
    update = {"type": "CODE_EDITOR_UPDATE", "payload": {"code": "live tab", "problemAlias": "A", "userId": alice.id}}
    assert await until(tabs[2], "CODE_EDITOR_UPDATE") == update and await next_json(watcher) == update


async def test_an_evicted_room_comes_back_whole(api: Api, client: TestClient) -> None:
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    ws = await training(client, alice, ts)
    await joined(ws, alice.id)
    await ws.send_str(frame("CODE_EDITOR_UPDATE", code="survives eviction", problemAlias="A"))
    await ws.send_str(frame("PROBLEM_ASSIGNED", user={"id": alice.id}, problemAlias="B"))
    applied = await sync(ws, alice.id)  # both echoed back: applied
    assert [f["type"] for f in applied] == ["CODE_EDITOR_UPDATE", "PROBLEM_ASSIGNED"]
    await ws.close()
    registry = client.app[ROOMS]
    async with asyncio.timeout(10):  # two snapshot passes of 0.2 s with nobody in the room
        while registry.find_training(ts) is not None:  # noqa: ASYNC110 - eviction has no event of its own
            await asyncio.sleep(0.05)
    resp = await client.get(f"/training-sessions/{ts}/code/A", headers=alice.headers)
    assert (await resp.json())["code"] == "survives eviction"
    problems = (await (await client.get(f"/contests/{ts}/problems", headers=alice.headers)).json())["problems"]
    assert problems[1]["assignedUser"]["id"] == alice.id
    again = await training(client, alice, ts)
    state = await joined(again, alice.id)
    assert state["code"]["A"] == "survives eviction" and state["assignments"]["B"]["id"] == alice.id
    await again.close()


async def test_revoking_a_token_closes_the_sockets_it_opened(api: Api, client: TestClient) -> None:
    """Sign out, sign out everywhere, a password change: sockets opened with a revoked token lose access at once."""
    alice = await api.register()
    team = await api.team(alice)

    async def login() -> Account:
        resp = await client.post("/auth/token", json={"login": alice.login, "password": "secret-pw"})
        assert resp.status == 200, await resp.text()
        return dataclasses.replace(alice, token=(await resp.json())["token"])

    laptop, phone, tablet = alice, await login(), await login()
    sockets = {}
    for name, who in (("laptop", laptop), ("phone", phone), ("tablet", tablet)):
        sockets[name] = await lobby(client, who, team["id"])
        state = await (joined(sockets[name], alice.id) if name == "laptop" else another_tab(sockets[name]))
        assert state["teamId"] == team["id"]
    signed_out = (1008, "signed out: the token was revoked")

    assert (await client.delete("/auth/token", headers=phone.headers)).status == 204
    assert await closed_with(sockets["phone"]) == signed_out
    await sockets["laptop"].send_str(frame("USER", user={}))
    assert (await next_json(sockets["laptop"]))["type"] == "USER"  # the others stay

    body = {"current_password": "secret-pw", "new_password": "secret-pw-2"}
    assert (await client.post("/user/me/password", json=body, headers=laptop.headers)).status == 204
    assert await closed_with(sockets["tablet"]) == signed_out  # every token but the one that changed it
    await sockets["laptop"].send_str(frame("USER", user={}))
    assert (await next_json(sockets["laptop"]))["type"] == "USER"

    assert (await client.delete("/auth/tokens", headers=laptop.headers)).status == 204
    assert await closed_with(sockets["laptop"]) == signed_out
