"""Teams: create, list mine, details, add and remove members."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, match_info_schema, response_schema

from schemas.teams import (
    MemberAddSchema,
    MemberPathSchema,
    TeamCreateSchema,
    TeamPathSchema,
    TeamSchema,
    TeamShortSchema,
)

from ..access import member_team, require_user
from ..errors import Conflict, NotFound, ValidationFailed
from ..keys import STORE, WS_HUB
from ..store.teams import Team
from .common import AUTH, MATCH, data, errors


def team_to_wire(team: Team) -> dict[str, object]:
    """`{id, name, members: [user]}`."""
    return {"id": team.id, "name": team.name, "members": [m.to_wire() for m in team.members]}


@docs(tags=["teams"], summary="My teams", security=AUTH)
@response_schema(TeamShortSchema(many=True), 200)
@errors(401)
async def list_teams(request: web.Request) -> web.Response:
    """GET /teams."""
    user = await require_user(request)
    teams = await request.app[STORE].teams.of_user(user.id)
    return web.json_response([{"id": tid, "name": name} for tid, name in teams])


@docs(tags=["teams"], summary="Create a team; the creator is its first member", security=AUTH)
@json_schema(TeamCreateSchema, required=True)
@response_schema(TeamSchema, 201)
@errors(400, 401, 422)
async def create_team(request: web.Request) -> web.Response:
    """POST /teams."""
    user = await require_user(request)
    body = data(request)
    store = request.app[STORE]
    member_ids = []
    unknown = []
    for login in body["member_logins"]:
        member = await store.users.by_login(login)
        if member is None:
            unknown.append(login)
        else:
            member_ids.append(member.id)
    if unknown:
        raise ValidationFailed("unknown member logins", {"fields": {"member_logins": unknown}})
    team_id = await store.teams.create(body["name"].strip(), user.id, member_ids)
    team = await store.teams.get(team_id)
    assert team is not None
    return web.json_response(team_to_wire(team), status=201)


@docs(tags=["teams"], summary="A team I belong to", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@response_schema(TeamSchema, 200)
@errors(401, 403, 404, 422)
async def get_team(request: web.Request) -> web.Response:
    """GET /teams/{team_id}."""
    _, team = await member_team(request, request[MATCH]["team_id"])
    return web.json_response(team_to_wire(team))


@docs(tags=["teams"], summary="Add a member by login", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@json_schema(MemberAddSchema, required=True)
@response_schema(TeamSchema, 201)
@errors(400, 401, 403, 404, 422)
async def add_member(request: web.Request) -> web.Response:
    """POST /teams/{team_id}/members."""
    _, team = await member_team(request, request[MATCH]["team_id"])
    login = data(request)["login"]
    store = request.app[STORE]
    member = await store.users.by_login(login)
    if member is None:
        raise NotFound(f"no user with login {login!r}", {"login": login})
    await store.teams.add_member(team.id, member.id)
    updated = await store.teams.get(team.id)
    assert updated is not None
    return web.json_response(team_to_wire(updated), status=201)


@docs(
    tags=["teams"],
    summary="Remove a member (any member may, including themself)",
    security=AUTH,
    responses={204: {"description": "removed"}},
)
@match_info_schema(MemberPathSchema, put_into=MATCH)
@errors(401, 403, 404, 409, 422)
async def remove_member(request: web.Request) -> web.Response:
    """DELETE /teams/{team_id}/members/{user_id}."""
    match = request[MATCH]
    _, team = await member_team(request, match["team_id"])
    user_id = match["user_id"]
    if not team.has_member(user_id):
        raise NotFound(f"user {user_id} is not a member of team {team.id}")
    if len(team.members) == 1:
        # a team nobody belongs to could never be reached again, nor its running session finished
        raise Conflict("the last member cannot leave the team", {"team_id": team.id})
    if not await request.app[STORE].teams.remove_member(team.id, user_id):
        raise NotFound(f"user {user_id} is not a member of team {team.id}")
    request.app[WS_HUB].drop_member(team.id, user_id)  # their open sockets lose access now, not at reconnect
    return web.Response(status=204)


def setup_team_routes(app: web.Application) -> None:
    """Register the team routes."""
    app.router.add_get("/teams", list_teams)
    app.router.add_post("/teams", create_team)
    app.router.add_get("/teams/{team_id}", get_team)
    app.router.add_post("/teams/{team_id}/members", add_member)
    app.router.add_delete("/teams/{team_id}/members/{user_id}", remove_member)
