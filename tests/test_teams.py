"""Teams: creation, listing, details, membership changes and access across teams."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from .conftest import Api, error_of


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
