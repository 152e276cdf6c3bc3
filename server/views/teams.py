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

from .common import AUTH, MATCH, caller, data, dump, errors, match, services

_TEAM = TeamSchema()
_TEAMS = TeamShortSchema(many=True)


@docs(tags=["teams"], summary="My teams", security=AUTH)
@response_schema(TeamShortSchema(many=True), 200)
@errors(401)
async def list_teams(request: web.Request) -> web.Response:
    """GET /teams."""
    return dump(_TEAMS, await services(request).teams.mine(await caller(request)))


@docs(tags=["teams"], summary="Create a team; the creator is its first member", security=AUTH)
@json_schema(TeamCreateSchema, required=True)
@response_schema(TeamSchema, 201)
@errors(400, 401, 422)
async def create_team(request: web.Request) -> web.Response:
    """POST /teams."""
    body = data(request)
    team = await services(request).teams.create(await caller(request), body["name"], body["member_logins"])
    return dump(_TEAM, team, 201)


@docs(tags=["teams"], summary="A team I belong to", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@response_schema(TeamSchema, 200)
@errors(401, 403, 404, 422)
async def get_team(request: web.Request) -> web.Response:
    """GET /teams/{team_id}."""
    return dump(_TEAM, await services(request).teams.get(await caller(request), match(request)["team_id"]))


@docs(tags=["teams"], summary="Add a member by login", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@json_schema(MemberAddSchema, required=True)
@response_schema(TeamSchema, 201)
@errors(400, 401, 403, 404, 422)
async def add_member(request: web.Request) -> web.Response:
    """POST /teams/{team_id}/members."""
    user = await caller(request)
    team = await services(request).teams.add_member(user, match(request)["team_id"], data(request)["login"])
    return dump(_TEAM, team, 201)


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
    path = match(request)
    await services(request).teams.remove_member(await caller(request), path["team_id"], path["user_id"])
    return web.Response(status=204)


def setup_team_routes(app: web.Application) -> None:
    """Register the team routes."""
    app.router.add_get("/teams", list_teams)
    app.router.add_post("/teams", create_team)
    app.router.add_get("/teams/{team_id}", get_team)
    app.router.add_post("/teams/{team_id}/members", add_member)
    app.router.add_delete("/teams/{team_id}/members/{user_id}", remove_member)
