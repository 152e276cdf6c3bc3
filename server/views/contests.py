"""Contests, compilers, a session's problems, their states and statements."""

from __future__ import annotations

from typing import Any

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

from ..access import member_session, require_user, session_contest
from ..clock import to_iso
from ..contests.models import ASSET_MARKER, Contest, Problem
from ..errors import NotFound
from ..judge.compilers import COMPILERS
from ..keys import CONTESTS, ROOMS, STORE
from ..store.problem_states import ProblemState
from ..store.sessions import TrainingSession
from .common import AUTH, MATCH, errors, path_problem

# Content types of the files a statement may show; anything else is never served.
ASSET_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
}
_SERVED_TYPES = set(ASSET_TYPES.values())
# An asset is shown inside the client's page; opened on its own (an SVG) it must run nothing.
ASSET_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=3600",
}


def problem_to_wire(problem: Problem, state: ProblemState, assigned: dict[str, Any] | None) -> dict[str, Any]:
    """A problem with the session's state of it (SPEC §5)."""
    limits = [
        {"compilerName": cid, "timeLimit": round(problem.time_limit * 1000), "memoryLimit": problem.memory_limit}
        for cid in COMPILERS
    ]
    return {
        "id": problem.id,
        "alias": problem.alias,
        "name": problem.name,
        "compilers": list(COMPILERS),
        "limits": limits,
        "testCount": len(problem.tests),
        "status": state.status,
        "attempts": state.attempts,
        "assignedUser": assigned,
    }


async def session_problems(app: web.Application, session: TrainingSession, contest: Contest) -> list[dict[str, Any]]:
    """Every problem of the session's contest, by alias, with status, attempts and assignee."""
    states = await app[STORE].problem_states.of_session(session.id)
    assigned = await app[ROOMS].assignments(session.id)
    return [
        problem_to_wire(p, states.get(alias, ProblemState()), assigned.get(alias))
        for alias, p in sorted(contest.problems.items())
    ]


@docs(tags=["contests"], summary="Every loaded contest", security=AUTH)
@response_schema(ContestShortSchema(many=True), 200)
@errors(401)
async def list_contests(request: web.Request) -> web.Response:
    """GET /contests."""
    await require_user(request)
    contests = request.app[CONTESTS].contests.values()
    return web.json_response([{"id": c.id, "name": c.name, "duration": c.duration} for c in contests])


@docs(tags=["contests"], summary="The compilers the judge offers")
@response_schema(CompilersSchema, 200)
async def list_compilers(request: web.Request) -> web.Response:
    """GET /compilers."""
    return web.json_response(
        {"compilers": [{"id": c.id, "name": c.name, "style": c.style} for c in COMPILERS.values()]}
    )


@docs(tags=["contests"], summary="The contest a training session plays", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(SessionContestSchema, 200)
@errors(401, 403, 404)
async def session_contest_view(request: web.Request) -> web.Response:
    """GET /contests/{ts}."""
    _, session = await member_session(request, request[MATCH]["ts"])
    contest = session_contest(request, session)
    return web.json_response(
        {
            "id": contest.id,
            "name": contest.name,
            "duration": contest.duration,
            "startTime": to_iso(session.dt_created),
            "problems": await session_problems(request.app, session, contest),
        }
    )


@docs(tags=["contests"], summary="The session's problems with status, attempts and assignee", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(ProblemsSchema, 200)
@errors(401, 403, 404)
async def problems_view(request: web.Request) -> web.Response:
    """GET /contests/{ts}/problems."""
    _, session = await member_session(request, request[MATCH]["ts"])
    contest = session_contest(request, session)
    return web.json_response({"problems": await session_problems(request.app, session, contest)})


@docs(tags=["contests"], summary="One problem's status and attempts", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(ProblemStateSchema, 200)
@errors(401, 403, 404)
async def problem_state_view(request: web.Request) -> web.Response:
    """GET /contests/{ts}/problems/{alias}."""
    _, session, problem = await path_problem(request)
    state = await request.app[STORE].problem_states.get(session.id, problem.alias)
    return web.json_response({"problemAlias": problem.alias, "status": state.status, "attempts": state.attempts})


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
    origin, so each image gets this server's URL of the statement's asset route.
    """
    _, _, problem = await path_problem(request)
    body = problem.statement_html
    if problem.statement.files:
        base = str(request.url.with_query(None)).rstrip("/") + "/"
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
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in sorted(_SERVED_TYPES)},
        }
    },
)
@match_info_schema(StatementAssetPathSchema, put_into=MATCH)
@errors(401, 403, 404)
async def statement_asset_view(request: web.Request) -> web.StreamResponse:
    """GET /contests/{ts}/problems/{alias}/statement/{file}."""
    _, _, problem = await path_problem(request)
    name = request[MATCH]["file"]
    statement = problem.statement
    # Looked up among the names the statement refers to, so no path outside them can be asked for.
    if name not in statement.files or statement.assets is None:
        raise NotFound(f"the statement of problem {problem.alias} has no file {name!r}", {"file": name})
    path = statement.assets / name
    content_type = ASSET_TYPES.get(path.suffix.lower())
    if content_type is None or not path.is_file():
        raise NotFound(f"the statement of problem {problem.alias} has no file {name!r}", {"file": name})
    return web.FileResponse(path, headers={**ASSET_HEADERS, "Content-Type": content_type})


def setup_contest_routes(app: web.Application) -> None:
    """Register the contest routes."""
    app.router.add_get("/contests", list_contests)
    app.router.add_get("/compilers", list_compilers)
    app.router.add_get("/contests/{ts}", session_contest_view)
    app.router.add_get("/contests/{ts}/problems", problems_view)
    app.router.add_get("/contests/{ts}/problems/{alias}", problem_state_view)
    app.router.add_get("/contests/{ts}/problems/{alias}/statement", statement_view)
    app.router.add_get("/contests/{ts}/problems/{alias}/statement/{file:.+}", statement_asset_view)
