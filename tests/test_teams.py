"""Teams: creation, listing, details, invitations, who removes whom, quotas, names, access across teams."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config
from server.services.teams import MAX_PENDING_INVITATIONS

from .support.api import Api, error_of
from .support.ws import ClientFactory, closed_with, joined, lobby, training


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


async def test_adding_a_member_invites_them_and_they_join_on_accepting(api: Api, client: TestClient) -> None:
    alice, bob = await api.register(), await api.register()
    team = await api.team(alice)
    resp = await client.post(f"/teams/{team['id']}/members", json={"login": bob.login}, headers=alice.headers)
    assert resp.status == 201
    body = await resp.json()
    assert [m["id"] for m in body["members"]] == [alice.id]  # SPEC's answer shape, bob not in it yet
    assert [u["id"] for u in body["invited"]] == [bob.id] and body["owner_id"] == alice.id
    await error_of(await client.get(f"/teams/{team['id']}", headers=bob.headers), 403)  # not a member yet
    again = await client.post(f"/teams/{team['id']}/members", json={"login": bob.login}, headers=alice.headers)
    assert [u["id"] for u in (await again.json())["invited"]] == [bob.id]  # inviting again changes nothing

    invitations = await (await client.get("/user/me/invitations", headers=bob.headers)).json()
    assert invitations == [
        {"team": {"id": team["id"], "name": "Team"}, "inviter": alice.user, "dt_created": invitations[0]["dt_created"]}
    ]
    resp = await client.post(f"/user/me/invitations/{team['id']}/accept", headers=bob.headers)
    assert resp.status == 200
    joined = await resp.json()
    assert [m["id"] for m in joined["members"]] == [alice.id, bob.id] and joined["invited"] == []
    assert await (await client.get("/user/me/invitations", headers=bob.headers)).json() == []
    resp = await client.post(f"/teams/{team['id']}/members", json={"login": bob.login}, headers=alice.headers)
    assert (await error_of(resp, 409))["code"] == "CONFLICT"  # already a member
    await error_of(await client.post(f"/user/me/invitations/{team['id']}/accept", headers=bob.headers), 404)


async def test_declined_and_withdrawn_invitations_leave_no_member(api: Api, client: TestClient) -> None:
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    resp = await client.post(
        "/teams", json={"name": "Pair", "member_logins": [bob.login, carol.login]}, headers=alice.headers
    )
    team = await resp.json()
    assert [m["id"] for m in team["members"]] == [alice.id]
    assert [u["id"] for u in team["invited"]] == [bob.id, carol.id]
    assert (await client.post(f"/user/me/invitations/{team['id']}/decline", headers=bob.headers)).status == 204
    await error_of(await client.post(f"/user/me/invitations/{team['id']}/accept", headers=bob.headers), 404)
    await error_of(await client.post(f"/user/me/invitations/{team['id']}/decline", headers=bob.headers), 404)
    resp = await client.delete(f"/teams/{team['id']}/invitations/{carol.id}", headers=carol.headers)
    await error_of(resp, 403)  # only members withdraw the team's invitations
    resp = await client.delete(f"/teams/{team['id']}/invitations/{carol.id}", headers=alice.headers)
    assert resp.status == 204
    assert await (await client.get("/user/me/invitations", headers=carol.headers)).json() == []
    await error_of(await client.delete(f"/teams/{team['id']}/invitations/{carol.id}", headers=alice.headers), 404)
    final = await (await client.get(f"/teams/{team['id']}", headers=alice.headers)).json()
    assert [m["id"] for m in final["members"]] == [alice.id] and final["invited"] == []


async def test_only_the_owner_removes_others_and_anyone_may_leave(api: Api, client: TestClient) -> None:
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    team = await api.team(alice, bob, carol)
    tid = team["id"]
    resp = await client.delete(f"/teams/{tid}/members/{alice.id}", headers=bob.headers)
    error = await error_of(resp, 403)  # a member cannot remove the creator (found: anyone could)
    assert error["details"]["owner_id"] == alice.id
    await error_of(await client.delete(f"/teams/{tid}/members/{carol.id}", headers=bob.headers), 403)
    assert (await client.delete(f"/teams/{tid}/members/{carol.id}", headers=alice.headers)).status == 204
    await error_of(await client.get(f"/teams/{tid}", headers=carol.headers), 403)
    await error_of(await client.delete(f"/teams/{tid}/members/{carol.id}", headers=alice.headers), 404)
    # the owner leaves: the longest-standing member owns the team from then on
    assert (await client.delete(f"/teams/{tid}/members/{alice.id}", headers=alice.headers)).status == 204
    after = await (await client.get(f"/teams/{tid}", headers=bob.headers)).json()
    assert [m["id"] for m in after["members"]] == [bob.id] and after["owner_id"] == bob.id


async def test_an_admin_removes_members_of_any_team(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await aiohttp_client(create_app(replace(config, admin_logins=("root",))), cookie_jar=DummyCookieJar())
    api = Api(client)
    root, alice, bob = await api.register("root"), await api.register(), await api.register()
    team = await api.team(alice, bob)
    await error_of(await client.get(f"/teams/{team['id']}", headers=root.headers), 403)  # sees nothing more
    assert (await client.delete(f"/teams/{team['id']}/members/{alice.id}", headers=root.headers)).status == 204
    after = await (await client.get(f"/teams/{team['id']}", headers=bob.headers)).json()
    assert [m["id"] for m in after["members"]] == [bob.id] and after["owner_id"] == bob.id


async def test_teams_per_user_quota_counts_creations_and_acceptances(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    client = await aiohttp_client(create_app(replace(config, max_teams_per_user=2)), cookie_jar=DummyCookieJar())
    api = Api(client)
    alice, bob = await api.register(), await api.register()
    await api.team(alice, name="One")
    invited = await api.client.post("/teams", json={"name": "Two", "member_logins": [bob.login]}, headers=alice.headers)
    two = await invited.json()
    resp = await client.post("/teams", json={"name": "Three"}, headers=alice.headers)
    error = await error_of(resp, 409)
    assert error["code"] == "QUOTA_EXCEEDED" and error["details"] == {"limit": 2}
    assert "MAX_TEAMS_PER_USER" in error["message"]
    await api.team(bob, name="B1")
    await api.team(bob, name="B2")
    error = await error_of(await client.post(f"/user/me/invitations/{two['id']}/accept", headers=bob.headers), 409)
    assert error["code"] == "QUOTA_EXCEEDED"
    assert len(await (await client.get("/user/me/invitations", headers=bob.headers)).json()) == 1  # still there
    assert len(await (await client.get("/teams", headers=alice.headers)).json()) == 2


async def test_pending_invitations_per_team_are_bounded(api: Api, client: TestClient) -> None:
    alice = await api.register()
    team = await api.team(alice)
    for _ in range(MAX_PENDING_INVITATIONS):
        who = await api.register()
        resp = await client.post(f"/teams/{team['id']}/members", json={"login": who.login}, headers=alice.headers)
        assert resp.status == 201
    one_more = await api.register()
    resp = await client.post(f"/teams/{team['id']}/members", json={"login": one_more.login}, headers=alice.headers)
    assert (await error_of(resp, 409))["code"] == "QUOTA_EXCEEDED"
    again = await client.post(f"/teams/{team['id']}/members", json={"login": who.login}, headers=alice.headers)
    assert again.status == 201  # inviting someone again changes nothing, even at the limit


async def test_invitations_sent_together_cannot_pass_the_bound_together(api: Api, client: TestClient) -> None:
    alice = await api.register()
    team = await api.team(alice)
    for _ in range(MAX_PENDING_INVITATIONS - 1):
        who = await api.register()
        resp = await client.post(f"/teams/{team['id']}/members", json={"login": who.login}, headers=alice.headers)
        assert resp.status == 201
    logins = [(await api.register()).login for _ in range(4)]
    answers = await asyncio.gather(
        *(client.post(f"/teams/{team['id']}/members", json={"login": login}, headers=alice.headers) for login in logins)
    )
    assert sorted(resp.status for resp in answers) == [201, 409, 409, 409]
    team_now = await (await client.get(f"/teams/{team['id']}", headers=alice.headers)).json()
    assert len(team_now["invited"]) == MAX_PENDING_INVITATIONS


@pytest.mark.parametrize(
    "name", ["Blue\u202eeulB", "Zero\u200bwidth", "nul\u0000", "tab\tname", "bom\ufeff", "line\u2028"]
)
async def test_team_names_refuse_control_and_format_characters(api: Api, client: TestClient, name: str) -> None:
    alice = await api.register()
    error = await error_of(await client.post("/teams", json={"name": name}, headers=alice.headers), 422)
    assert "name" in error["details"]["fields"]
    assert await (await client.get("/teams", headers=alice.headers)).json() == []


async def test_team_names_keep_letters_of_every_script(api: Api, client: TestClient) -> None:
    alice = await api.register()
    resp = await client.post("/teams", json={"name": "Ёжики 東京 café"}, headers=alice.headers)
    assert resp.status == 201 and (await resp.json())["name"] == "Ёжики 東京 café"


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
