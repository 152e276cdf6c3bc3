"""Training sessions: start, find, reconnect, complete, participation."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, match_info_schema, querystring_schema, response_schema

from schemas.contests import SessionPathSchema
from schemas.sessions import EmptySchema, ParticipationSchema, SessionCreateSchema, SessionQuerySchema, SessionSchema
from schemas.teams import TeamPathSchema

from .common import AUTH, MATCH, QUERY, caller, data, dump, errors, match, query, services

_SESSION = SessionSchema()
_PARTICIPATION = ParticipationSchema()


@docs(tags=["sessions"], summary="Start a training session (or get the team's running one)", security=AUTH)
@json_schema(SessionCreateSchema, required=True)
@response_schema(SessionSchema, 201, description="a new session")
@response_schema(SessionSchema, 200, description="the team's session already in process")
@errors(400, 401, 403, 404, 422)
async def create_session(request: web.Request) -> web.Response:
    """POST /training-sessions."""
    body = data(request)
    session, created = await services(request).sessions.start(
        await caller(request), body["team_id"], body["contest_id"]
    )
    return dump(_SESSION, session, 201 if created else 200)


@docs(tags=["sessions"], summary="The latest session of a team on a contest", security=AUTH)
@querystring_schema(SessionQuerySchema, put_into=QUERY)
@response_schema(SessionSchema, 200)
@errors(401, 403, 404, 422)
async def find_session(request: web.Request) -> web.Response:
    """GET /training-sessions?team_id=&contest_id=."""
    params = query(request)
    session = await services(request).sessions.find(await caller(request), params["team_id"], params["contest_id"])
    return dump(_SESSION, session)


@docs(tags=["sessions"], summary="A training session", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(SessionSchema, 200)
@errors(401, 403, 404)
async def get_session(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}."""
    return dump(_SESSION, await services(request).sessions.get(await caller(request), match(request)["ts"]))


@docs(tags=["sessions"], summary="The team's session in process, to reconnect to", security=AUTH)
@match_info_schema(TeamPathSchema, put_into=MATCH)
@response_schema(SessionSchema, 200)
@errors(401, 403, 404, 422)
async def reconnect(request: web.Request) -> web.Response:
    """GET /training-sessions/team/{team_id}/reconnect."""
    session = await services(request).sessions.reconnect(await caller(request), match(request)["team_id"])
    return dump(_SESSION, session)


@docs(tags=["sessions"], summary="Finish a session now (announced again when already finished)", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@json_schema(EmptySchema)
@response_schema(SessionSchema, 200)
@errors(400, 401, 403, 404, 422)
async def complete(request: web.Request) -> web.Response:
    """POST /training-sessions/{ts}/complete."""
    return dump(_SESSION, await services(request).sessions.complete(await caller(request), match(request)["ts"]))


@docs(tags=["sessions"], summary="Start, finish and time left of the session", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(ParticipationSchema, 200)
@errors(401, 403, 404)
async def participation(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/participation."""
    times = await services(request).sessions.participation(await caller(request), match(request)["ts"])
    return dump(_PARTICIPATION, times)


def setup_session_routes(app: web.Application) -> None:
    """Register the training-session routes."""
    app.router.add_post("/training-sessions", create_session)
    app.router.add_get("/training-sessions", find_session)
    app.router.add_get("/training-sessions/team/{team_id}/reconnect", reconnect)
    app.router.add_get("/training-sessions/{ts}", get_session)
    app.router.add_post("/training-sessions/{ts}/complete", complete)
    app.router.add_get("/training-sessions/{ts}/participation", participation)
