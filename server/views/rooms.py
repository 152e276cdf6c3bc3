"""REST getters backed by live room state: who is online, selected contest, code, control, compilers."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, response_schema

from schemas.common import UsersOnlineSchema
from schemas.contests import ProblemPathSchema, SessionPathSchema
from schemas.rooms import CodeSchema, CompilerChoiceSchema, ControlSchema, SelectedContestSchema
from schemas.teams import TeamPathSchema

from ..access import member_session, member_team
from ..keys import ROOMS
from ..rooms.training import TrainingRoom
from .common import AUTH, MATCH, errors, path_problem


async def _training_room(request: web.Request) -> TrainingRoom | None:
    """The caller's session room, if it exists (403/404 by the access rules first)."""
    _, session = await member_session(request, request[MATCH]["ts"])
    return await request.app[ROOMS].load_training(session.id, create=False)


async def _problem_room(request: web.Request) -> tuple[str, TrainingRoom | None]:
    """A problem alias of the caller's session (404 if not in its contest) and the session's room."""
    _, session, problem = await path_problem(request)
    return problem.alias, await request.app[ROOMS].load_training(session.id, create=False)


@docs(tags=["rooms"], summary="Users in the team's lobby now", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@response_schema(UsersOnlineSchema, 200)
@errors(401, 403, 404, 422)
async def lobby_online(request: web.Request) -> web.Response:
    """GET /lobby/{team_id}/online and /teams/{team_id}/online."""
    _, team = await member_team(request, request[MATCH]["team_id"])
    room = await request.app[ROOMS].load_lobby(team.id, create=False)
    return web.json_response({"users": room.users() if room is not None else []})


@docs(tags=["rooms"], summary="The contest selected in the team's lobby", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@response_schema(SelectedContestSchema, 200)
@errors(401, 403, 404, 422)
async def selected_contest(request: web.Request) -> web.Response:
    """GET /lobby/{team_id}/selected-contest."""
    _, team = await member_team(request, request[MATCH]["team_id"])
    room = await request.app[ROOMS].load_lobby(team.id, create=False)
    return web.json_response({"contestId": room.selected_contest_id if room is not None else None})


@docs(tags=["rooms"], summary="Users in the training room now", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(UsersOnlineSchema, 200)
@errors(401, 403, 404)
async def training_online(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/online."""
    room = await _training_room(request)
    return web.json_response({"users": room.users() if room is not None else []})


@docs(tags=["rooms"], summary="A problem's shared editor content", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(CodeSchema, 200)
@errors(401, 403, 404)
async def code(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/code/{alias}."""
    alias, room = await _problem_room(request)
    return web.json_response({"code": room.code.get(alias, "") if room is not None else ""})


@docs(tags=["rooms"], summary="Who holds control of the editor (null when nobody)", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(ControlSchema, 200)
@errors(401, 403, 404)
async def current_control(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/control/current."""
    room = await _training_room(request)
    controller = room.controller_id if room is not None else None
    return web.json_response({"userId": None if controller is None else str(controller)})


@docs(tags=["rooms"], summary="The compiler selected for a problem (null when none)", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(CompilerChoiceSchema, 200)
@errors(401, 403, 404)
async def compiler(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/compiler/{alias}."""
    alias, room = await _problem_room(request)
    return web.json_response({"compiler": room.compilers.get(alias) if room is not None else None})


def setup_room_routes(app: web.Application) -> None:
    """Register the room getters (they read app[ROOMS], which setup_ws puts there)."""
    app.router.add_get("/lobby/{team_id}/online", lobby_online)
    app.router.add_get("/teams/{team_id}/online", lobby_online)
    app.router.add_get("/lobby/{team_id}/selected-contest", selected_contest)
    app.router.add_get("/training-sessions/{ts}/online", training_online)
    app.router.add_get("/training-sessions/{ts}/code/{alias}", code)
    app.router.add_get("/training-sessions/{ts}/control/current", current_control)
    app.router.add_get("/training-sessions/{ts}/compiler/{alias}", compiler)
