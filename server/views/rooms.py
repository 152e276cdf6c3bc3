"""REST getters backed by live room state: who is online, selected contest, code, control, compilers."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, response_schema

from schemas.common import UsersOnlineSchema
from schemas.contests import ProblemPathSchema, SessionPathSchema
from schemas.rooms import CodeSchema, CompilerChoiceSchema, ControlSchema, SelectedContestSchema
from schemas.teams import TeamPathSchema

from .common import AUTH, MATCH, caller, dump, errors, match, services

_USERS = UsersOnlineSchema()
_SELECTED = SelectedContestSchema()
_CODE = CodeSchema()
_CONTROL = ControlSchema()
_COMPILER = CompilerChoiceSchema()


@docs(tags=["rooms"], summary="Users in the team's lobby now", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@response_schema(UsersOnlineSchema, 200)
@errors(401, 403, 404, 422)
async def lobby_online(request: web.Request) -> web.Response:
    """GET /lobby/{team_id}/online and /teams/{team_id}/online."""
    return dump(_USERS, await services(request).rooms.lobby_users(await caller(request), match(request)["team_id"]))


@docs(tags=["rooms"], summary="The contest selected in the team's lobby", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@response_schema(SelectedContestSchema, 200)
@errors(401, 403, 404, 422)
async def selected_contest(request: web.Request) -> web.Response:
    """GET /lobby/{team_id}/selected-contest."""
    selected = await services(request).rooms.selected_contest(await caller(request), match(request)["team_id"])
    return dump(_SELECTED, selected)


@docs(tags=["rooms"], summary="Users in the training room now", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(UsersOnlineSchema, 200)
@errors(401, 403, 404)
async def training_online(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/online."""
    return dump(_USERS, await services(request).rooms.training_users(await caller(request), match(request)["ts"]))


@docs(tags=["rooms"], summary="A problem's shared editor content", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(CodeSchema, 200)
@errors(401, 403, 404)
async def code(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/code/{alias}."""
    path = match(request)
    return dump(_CODE, await services(request).rooms.code(await caller(request), path["ts"], path["alias"]))


@docs(tags=["rooms"], summary="Who holds control of the editor (null when nobody)", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(ControlSchema, 200)
@errors(401, 403, 404)
async def current_control(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/control/current."""
    return dump(_CONTROL, await services(request).rooms.controller(await caller(request), match(request)["ts"]))


@docs(tags=["rooms"], summary="The compiler selected for a problem (null when none)", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(CompilerChoiceSchema, 200)
@errors(401, 403, 404)
async def compiler(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/compiler/{alias}."""
    path = match(request)
    return dump(_COMPILER, await services(request).rooms.compiler(await caller(request), path["ts"], path["alias"]))


def setup_room_routes(app: web.Application) -> None:
    """Register the room getters."""
    app.router.add_get("/lobby/{team_id}/online", lobby_online)
    app.router.add_get("/teams/{team_id}/online", lobby_online)
    app.router.add_get("/lobby/{team_id}/selected-contest", selected_contest)
    app.router.add_get("/training-sessions/{ts}/online", training_online)
    app.router.add_get("/training-sessions/{ts}/code/{alias}", code)
    app.router.add_get("/training-sessions/{ts}/control/current", current_control)
    app.router.add_get("/training-sessions/{ts}/compiler/{alias}", compiler)
