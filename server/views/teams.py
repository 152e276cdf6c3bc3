"""Teams: create, list mine, details, invite and remove members; my invitations, accepted or declined."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, match_info_schema, response_schema

from schemas.teams import (
    InvitationSchema,
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
_INVITATIONS = InvitationSchema(many=True)


@docs(tags=["teams"], summary="My teams", security=AUTH)
@response_schema(TeamShortSchema(many=True), 200)
@errors(401, 403)
async def list_teams(request: web.Request) -> web.Response:
    """GET /teams."""
    return dump(_TEAMS, await services(request).teams.mine(await caller(request)))


@docs(
    tags=["teams"],
    summary="Create a team; the creator is its first member and owner, member_logins are invited",
    description="409 QUOTA_EXCEEDED when the creator already belongs to MAX_TEAMS_PER_USER teams.",
    security=AUTH,
)
@json_schema(TeamCreateSchema, required=True)
@response_schema(TeamSchema, 201)
@errors(400, 401, 403, 409, 422)
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


@docs(
    tags=["teams"],
    summary="Invite a user by login (any member may); they join when they accept",
    description="The answer is the team with the user in `invited`. 409 for a member, or QUOTA_EXCEEDED when "
    "the team has too many invitations waiting.",
    security=AUTH,
)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@json_schema(MemberAddSchema, required=True)
@response_schema(TeamSchema, 201)
@errors(400, 401, 403, 404, 409, 422)
async def add_member(request: web.Request) -> web.Response:
    """POST /teams/{team_id}/members."""
    user = await caller(request)
    team = await services(request).teams.add_member(user, match(request)["team_id"], data(request)["login"])
    return dump(_TEAM, team, 201)


@docs(
    tags=["teams"],
    summary="Remove a member: anyone may leave, only the owner (or an admin) removes others",
    description="The owner is the creator, or after the creator left the longest-standing member "
    "(`owner_id`). The last member cannot leave (409).",
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


@docs(
    tags=["teams"],
    summary="Withdraw the team's invitation of a user (any member may)",
    security=AUTH,
    responses={204: {"description": "withdrawn"}},
)
@match_info_schema(MemberPathSchema, put_into=MATCH)
@errors(401, 403, 404, 422)
async def withdraw_invitation(request: web.Request) -> web.Response:
    """DELETE /teams/{team_id}/invitations/{user_id}."""
    path = match(request)
    await services(request).teams.withdraw_invitation(await caller(request), path["team_id"], path["user_id"])
    return web.Response(status=204)


@docs(tags=["teams"], summary="Invitations to teams waiting for my answer, oldest first", security=AUTH)
@response_schema(InvitationSchema(many=True), 200)
@errors(401, 403)
async def my_invitations(request: web.Request) -> web.Response:
    """GET /user/me/invitations."""
    return dump(_INVITATIONS, await services(request).teams.invitations(await caller(request)))


@docs(
    tags=["teams"],
    summary="Accept an invitation: join the team",
    description="409 QUOTA_EXCEEDED when I already belong to MAX_TEAMS_PER_USER teams (the invitation stays).",
    security=AUTH,
)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@response_schema(TeamSchema, 200)
@errors(401, 403, 404, 409, 422)
async def accept_invitation(request: web.Request) -> web.Response:
    """POST /user/me/invitations/{team_id}/accept."""
    return dump(_TEAM, await services(request).teams.accept(await caller(request), match(request)["team_id"]))


@docs(
    tags=["teams"],
    summary="Decline an invitation",
    security=AUTH,
    responses={204: {"description": "declined"}},
)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@errors(401, 403, 404, 422)
async def decline_invitation(request: web.Request) -> web.Response:
    """POST /user/me/invitations/{team_id}/decline."""
    await services(request).teams.decline(await caller(request), match(request)["team_id"])
    return web.Response(status=204)


def setup_team_routes(app: web.Application) -> None:
    """Register the team and invitation routes."""
    app.router.add_get("/teams", list_teams)
    app.router.add_post("/teams", create_team)
    app.router.add_get("/teams/{team_id}", get_team)
    app.router.add_post("/teams/{team_id}/members", add_member)
    app.router.add_delete("/teams/{team_id}/members/{user_id}", remove_member)
    app.router.add_delete("/teams/{team_id}/invitations/{user_id}", withdraw_invitation)
    app.router.add_get("/user/me/invitations", my_invitations)
    app.router.add_post("/user/me/invitations/{team_id}/accept", accept_invitation)
    app.router.add_post("/user/me/invitations/{team_id}/decline", decline_invitation)
