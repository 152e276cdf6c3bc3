"""Registration invite codes (admins only): make one, list the usable ones, withdraw one."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, match_info_schema, response_schema

from schemas.users import InviteCodeSchema, InviteCreateSchema, InvitePathSchema, IssuedInviteSchema

from .common import AUTH, MATCH, caller, data, dump, errors, match, services

_ISSUED = IssuedInviteSchema()
_CODES = InviteCodeSchema(many=True)


@docs(
    tags=["identity"],
    summary="Make a registration invite code (admins)",
    description="For REGISTRATION=invite: the code is shown only in this answer; it allows `uses` registrations "
    "within `days` days.",
    security=AUTH,
)
@json_schema(InviteCreateSchema, required=True)
@response_schema(IssuedInviteSchema, 201)
@errors(400, 401, 403, 422)
async def create_invite(request: web.Request) -> web.Response:
    """POST /invite-codes."""
    body = data(request)
    issued = await services(request).invites.create(await caller(request), body["uses"], body["days"])
    return dump(_ISSUED, issued, 201)


@docs(tags=["identity"], summary="Registration invite codes that can still be used (admins)", security=AUTH)
@response_schema(InviteCodeSchema(many=True), 200)
@errors(401, 403)
async def list_invites(request: web.Request) -> web.Response:
    """GET /invite-codes."""
    return dump(_CODES, await services(request).invites.usable(await caller(request)))


@docs(
    tags=["identity"],
    summary="Withdraw a registration invite code (admins)",
    security=AUTH,
    responses={204: {"description": "withdrawn"}},
)
@match_info_schema(InvitePathSchema, put_into=MATCH)
@errors(401, 403, 404, 422)
async def withdraw_invite(request: web.Request) -> web.Response:
    """DELETE /invite-codes/{invite_id}."""
    await services(request).invites.withdraw(await caller(request), match(request)["invite_id"])
    return web.Response(status=204)


def setup_invite_routes(app: web.Application) -> None:
    """Register the invite-code routes."""
    app.router.add_post("/invite-codes", create_invite)
    app.router.add_get("/invite-codes", list_invites)
    app.router.add_delete("/invite-codes/{invite_id}", withdraw_invite)
