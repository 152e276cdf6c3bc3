"""Teams: creation, listing, details, membership changes and access across teams."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from .support.api import Api, error_of
from .support.ws import closed_with, joined, lobby, training


async def test_create_team_creator_first_then_members(api: Api, client: TestClient) -> None:
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    team = await api.team(alice, bob, carol, bob, name="Blue")
    assert isinstance(team["id"], int) and team["name"] == "Blue"
    assert [m["id"] for m in team["members"]] == [alice.id, bob.id, carol.id]
    for who in (alice, bob, carol):
        resp = await client.get("/teams", headers=who.headers)
        assert await resp.json() == [{"id": team["id"], "name": "Blue"}]


async def test_member_logins_are_optional(api: Api) -> None:
    alice = await api.register()
    resp = await api.client.post("/teams", json={"name": "Solo"}, headers=alice.headers)
    assert resp.status == 201
    assert [m["login"] for m in (await resp.json())["members"]] == [alice.login]


async def test_unknown_member_login_is_422(api: Api, client: TestClient) -> None:
    alice = await api.register()
    resp = await client.post("/teams", json={"name": "X", "member_logins": ["ghost"]}, headers=alice.headers)
    error = await error_of(resp, 422)
    assert error["details"]["fields"]["member_logins"] == ["ghost"]


async def test_other_teams_are_invisible(api: Api, client: TestClient) -> None:
    alice, mallory = await api.register(), await api.register()
    team = await api.team(alice)
    await api.team(mallory, name="Red")
    assert (await error_of(await client.get(f"/teams/{team['id']}", headers=mallory.headers), 403))[
        "code"
    ] == "FORBIDDEN"
    resp = await client.post(f"/teams/{team['id']}/members", json={"login": mallory.login}, headers=mallory.headers)
    await error_of(resp, 403)
    resp = await client.delete(f"/teams/{team['id']}/members/{alice.id}", headers=mallory.headers)
    await error_of(resp, 403)
    assert len(await (await client.get("/teams", headers=mallory.headers)).json()) == 1


async def test_add_and_remove_members(api: Api, client: TestClient) -> None:
    alice, bob = await api.register(), await api.register()
    team = await api.team(alice)
    resp = await client.post(f"/teams/{team['id']}/members", json={"login": bob.login}, headers=alice.headers)
    assert resp.status == 201
    assert [m["id"] for m in (await resp.json())["members"]] == [alice.id, bob.id]
    resp = await client.get(f"/teams/{team['id']}", headers=bob.headers)
    assert resp.status == 200
    resp = await client.delete(f"/teams/{team['id']}/members/{alice.id}", headers=bob.headers)
    assert resp.status == 204
    await error_of(await client.get(f"/teams/{team['id']}", headers=alice.headers), 403)
    resp = await client.delete(f"/teams/{team['id']}/members/{alice.id}", headers=bob.headers)
    await error_of(resp, 404)


async def test_unknown_ids_and_wrong_types(api: Api, client: TestClient) -> None:
    alice = await api.register()
    await error_of(await client.get("/teams/999999", headers=alice.headers), 404)
    await error_of(await client.get("/teams/abc", headers=alice.headers), 422)
    team = await api.team(alice)
    resp = await client.post(f"/teams/{team['id']}/members", json={"login": "ghost"}, headers=alice.headers)
    await error_of(resp, 404)
    resp = await client.post(f"/teams/{team['id']}/members", json={"login": 7}, headers=alice.headers)
    await error_of(resp, 422)
    resp = await client.post("/teams", json={"name": ""}, headers=alice.headers)
    await error_of(resp, 422)


async def test_teams_need_a_token(client: TestClient) -> None:
    await error_of(await client.get("/teams"), 401)
    await error_of(await client.post("/teams", json={"name": "x"}), 401)


async def test_last_member_cannot_leave_and_blank_names_are_refused(api: Api, client: TestClient) -> None:
    alice = await api.register()
    team = await api.team(alice)
    resp = await client.delete(f"/teams/{team['id']}/members/{alice.id}", headers=alice.headers)
    assert (await error_of(resp, 409))["code"] == "CONFLICT"
    assert (await client.get(f"/teams/{team['id']}", headers=alice.headers)).status == 200
    resp = await client.post("/teams", json={"name": "   "}, headers=alice.headers)
    assert "name" in (await error_of(resp, 422))["details"]["fields"]


async def test_removed_member_loses_open_sockets(api: Api, client: TestClient) -> None:
    alice, bob = await api.register(), await api.register()
    team = await api.team(alice, bob)
    ts = (await api.session(alice, team["id"]))["id"]
    lobby_ws = await lobby(client, bob, team["id"])
    await joined(lobby_ws, bob.id)
    room_ws = await training(client, bob, ts)
    await joined(room_ws, bob.id)
    resp = await client.delete(f"/teams/{team['id']}/members/{bob.id}", headers=alice.headers)
    assert resp.status == 204
    assert await closed_with(lobby_ws) == (1008, "removed from the team")
    assert await closed_with(room_ws) == (1008, "removed from the team")
    await error_of(await client.get(f"/training-sessions/{ts}/code/A", headers=bob.headers), 403)
