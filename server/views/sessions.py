"""Training sessions: start, find, reconnect, complete, participation."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, match_info_schema, querystring_schema, response_schema

from schemas.contests import SessionPathSchema
from schemas.sessions import EmptySchema, ParticipationSchema, SessionCreateSchema, SessionQuerySchema, SessionSchema
from schemas.teams import TeamPathSchema

from ..access import member_session, member_team
from ..errors import NotFound
from ..keys import CONTESTS, SESSIONS, STORE
from ..sessions import SessionService, session_to_wire
from .common import AUTH, MATCH, QUERY, data, errors


@docs(tags=["sessions"], summary="Start a training session (or get the team's running one)", security=AUTH)
@json_schema(SessionCreateSchema, required=True)
@response_schema(SessionSchema, 201, description="a new session")
@response_schema(SessionSchema, 200, description="the team's session already in process")
@errors(400, 401, 403, 404, 422)
async def create_session(request: web.Request) -> web.Response:
    """POST /training-sessions."""
    body = data(request)
    _, team = await member_team(request, body["team_id"])
    contest = request.app[CONTESTS].get(body["contest_id"])
    if contest is None:
        raise NotFound(f"contest {body['contest_id']} does not exist", {"contest_id": body["contest_id"]})
    session, created = await request.app[SESSIONS].start(team.id, contest.id, contest.duration)
    return web.json_response(session_to_wire(session), status=201 if created else 200)


@docs(tags=["sessions"], summary="The latest session of a team on a contest", security=AUTH)
@querystring_schema(SessionQuerySchema, put_into=QUERY)
@response_schema(SessionSchema, 200)
@errors(401, 403, 404, 422)
async def find_session(request: web.Request) -> web.Response:
    """GET /training-sessions?team_id=&contest_id=."""
    query = request[QUERY]
    _, team = await member_team(request, query["team_id"])
    session = await request.app[STORE].sessions.latest(team.id, query["contest_id"])
    if session is None:
        raise NotFound("no session of this team on this contest", dict(query))
    return web.json_response(session_to_wire(session))


@docs(tags=["sessions"], summary="A training session", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(SessionSchema, 200)
@errors(401, 403, 404)
async def get_session(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}."""
    _, session = await member_session(request, request[MATCH]["ts"])
    return web.json_response(session_to_wire(session))


@docs(tags=["sessions"], summary="The team's session in process, to reconnect to", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@response_schema(SessionSchema, 200)
@errors(401, 403, 404, 422)
async def reconnect(request: web.Request) -> web.Response:
    """GET /training-sessions/team/{team_id}/reconnect."""
    _, team = await member_team(request, request[MATCH]["team_id"])
    session = await request.app[SESSIONS].running(team.id)
    if session is None:
        raise NotFound(f"team {team.id} has no session in process", {"team_id": team.id})
    return web.json_response(session_to_wire(session))


@docs(tags=["sessions"], summary="Finish a session now", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@json_schema(EmptySchema)
@response_schema(SessionSchema, 200)
@errors(400, 401, 403, 404, 422)
async def complete(request: web.Request) -> web.Response:
    """POST /training-sessions/{ts}/complete."""
    _, session = await member_session(request, request[MATCH]["ts"])
    finished = await request.app[SESSIONS].complete(session)
    return web.json_response(session_to_wire(finished))


@docs(tags=["sessions"], summary="Start, finish and time left of the session", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(ParticipationSchema, 200)
@errors(401, 403, 404)
async def participation(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/participation."""
    _, session = await member_session(request, request[MATCH]["ts"])
    return web.json_response(SessionService.participation(session))


def setup_session_routes(app: web.Application) -> None:
    """Register the training-session routes."""
    app.router.add_post("/training-sessions", create_session)
    app.router.add_get("/training-sessions", find_session)
    app.router.add_get("/training-sessions/team/{team_id}/reconnect", reconnect)
    app.router.add_get("/training-sessions/{ts}", get_session)
    app.router.add_post("/training-sessions/{ts}/complete", complete)
    app.router.add_get("/training-sessions/{ts}/participation", participation)
