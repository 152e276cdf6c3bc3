"""Contests, compilers, a session's problems, their states and statements."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, response_schema

from schemas.contests import (
    CompilersSchema,
    ContestShortSchema,
    ProblemPathSchema,
    ProblemsSchema,
    ProblemStateSchema,
    SessionContestSchema,
    SessionPathSchema,
    StatementAssetPathSchema,
)

from ..contests.models import ASSET_MARKER
from ..services.contests import STATEMENT_FILE_TYPES
from .common import AUTH, MATCH, caller, dump, errors, is_https, match, services

_CONTESTS = ContestShortSchema(many=True)
_COMPILERS = CompilersSchema()
_SESSION_CONTEST = SessionContestSchema()
_PROBLEMS = ProblemsSchema()
_PROBLEM_STATE = ProblemStateSchema()
_FILE_TYPES = sorted(set(STATEMENT_FILE_TYPES.values()))
# A statement's file is shown inside the client's page; opened on its own (an SVG) it must run nothing.
_ASSET_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=3600",
}


@docs(tags=["contests"], summary="Every loaded contest", security=AUTH)
@response_schema(ContestShortSchema(many=True), 200)
@errors(401)
async def list_contests(request: web.Request) -> web.Response:
    """GET /contests."""
    await caller(request)
    return dump(_CONTESTS, services(request).contests.contests())


@docs(tags=["contests"], summary="The compilers the judge offers")
@response_schema(CompilersSchema, 200)
async def list_compilers(request: web.Request) -> web.Response:
    """GET /compilers."""
    return dump(_COMPILERS, services(request).contests.compilers())


@docs(tags=["contests"], summary="The contest a training session plays", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(SessionContestSchema, 200)
@errors(401, 403, 404)
async def session_contest_view(request: web.Request) -> web.Response:
    """GET /contests/{ts}."""
    played = await services(request).contests.session_contest(await caller(request), match(request)["ts"])
    return dump(_SESSION_CONTEST, played)


@docs(tags=["contests"], summary="The session's problems with status, attempts and assignee", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(ProblemsSchema, 200)
@errors(401, 403, 404)
async def problems_view(request: web.Request) -> web.Response:
    """GET /contests/{ts}/problems."""
    return dump(_PROBLEMS, await services(request).contests.problems(await caller(request), match(request)["ts"]))


@docs(tags=["contests"], summary="One problem's status and attempts", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(ProblemStateSchema, 200)
@errors(401, 403, 404)
async def problem_state_view(request: web.Request) -> web.Response:
    """GET /contests/{ts}/problems/{alias}."""
    path = match(request)
    state = await services(request).contests.problem_state(await caller(request), path["ts"], path["alias"])
    return dump(_PROBLEM_STATE, state)


@docs(
    tags=["contests"],
    summary="A problem's statement as HTML",
    security=AUTH,
    responses={200: {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}},
)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@errors(401, 403, 404)
async def statement_view(request: web.Request) -> web.Response:
    """GET /contests/{ts}/problems/{alias}/statement: rendered at load; image URLs are made absolute here.

    The client injects the HTML into its own page, where a relative URL would point at the client's
    origin, so each image gets this server's URL of the statement's asset route, with the scheme the
    client used (https behind a trusted TLS proxy, else the page would load its images as mixed content).
    """
    path = match(request)
    problem = await services(request).contests.statement(await caller(request), path["ts"], path["alias"])
    body = problem.statement_html
    if problem.statement.files:
        url = request.url.with_query(None).with_scheme("https" if is_https(request) else "http")
        base = str(url).rstrip("/") + "/"
        body = body.replace(ASSET_MARKER.encode(), base.encode())
    return web.Response(body=body, content_type="text/html", charset="utf-8")


@docs(
    tags=["contests"],
    summary="A file the statement shows (an image, or the statement's PDF)",
    description="Only files the statement refers to are served. A browser loading an <img> sends no "
    "Authorization header: the `access_token` cookie authenticates it, as on every route.",
    security=AUTH,
    responses={
        200: {
            "description": "the file",
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in _FILE_TYPES},
        }
    },
)
@match_info_schema(StatementAssetPathSchema, put_into=MATCH)
@errors(401, 403, 404)
async def statement_asset_view(request: web.Request) -> web.StreamResponse:
    """GET /contests/{ts}/problems/{alias}/statement/{file}."""
    path = match(request)
    found, content_type = await services(request).contests.statement_file(
        await caller(request), path["ts"], path["alias"], path["file"]
    )
    return web.FileResponse(found, headers={**_ASSET_HEADERS, "Content-Type": content_type})


def setup_contest_routes(app: web.Application) -> None:
    """Register the contest routes."""
    app.router.add_get("/contests", list_contests)
    app.router.add_get("/compilers", list_compilers)
    app.router.add_get("/contests/{ts}", session_contest_view)
    app.router.add_get("/contests/{ts}/problems", problems_view)
    app.router.add_get("/contests/{ts}/problems/{alias}", problem_state_view)
    app.router.add_get("/contests/{ts}/problems/{alias}/statement", statement_view)
    app.router.add_get("/contests/{ts}/problems/{alias}/statement/{file:.+}", statement_asset_view)
