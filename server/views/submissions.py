"""Submissions: accept (stored pending before the answer), list, short and full views; standings."""

from __future__ import annotations

from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp_apigami import docs, match_info_schema, response_schema

from schemas.contests import ProblemPathSchema, SessionPathSchema
from schemas.submissions import (
    FullSubmissionSchema,
    RunIdSchema,
    StandingsSchema,
    SubmissionListSchema,
    SubmissionPathSchema,
    SubmissionSchema,
)

from ..access import member_session, session_contest
from ..clock import utcnow
from ..errors import BadRequest, NotFound, PayloadTooLarge, ServiceUnavailable, TooManyRequests, ValidationFailed
from ..judge.compilers import COMPILERS
from ..judging import TooManySubmissions
from ..keys import CONFIG, EVENTS, JUDGE, STORE
from ..scoring import Attempt, Participant, standings
from ..store.submissions import Submission
from ..wire import submission_full, submission_short
from .common import AUTH, MATCH, errors, path_problem

_FIELD_LIMIT = 1024  # compiler and problem are short identifiers
_FORM_DOC = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/SubmissionForm"}}},
}


async def _read_form(request: web.Request, max_source: int) -> dict[str, Any]:
    """The multipart fields, each read with a size cap so a huge upload is refused early."""
    if not request.content_type.startswith("multipart/"):
        raise BadRequest("send the submission as multipart/form-data", code="INVALID_FORM")
    try:
        reader = await request.multipart()
        form: dict[str, Any] = {}
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name not in ("file", "compiler", "problem"):
                continue
            limit = max_source if part.name == "file" else _FIELD_LIMIT
            chunks, size = [], 0
            while chunk := await part.read_chunk(64 * 1024):
                size += len(chunk)
                if size > limit:
                    if part.name == "file":
                        raise PayloadTooLarge(f"source is larger than {max_source} bytes", {"limit": max_source})
                    raise ValidationFailed("field too long", {"fields": {part.name: ["too long"]}})
                chunks.append(chunk)
            data = b"".join(chunks)
            form[part.name] = data if part.name == "file" else data.decode("utf-8", errors="replace").strip()
    except (ValueError, AssertionError) as exc:  # aiohttp's multipart reader raises these on malformed input
        raise BadRequest(f"malformed multipart body: {exc}", code="INVALID_FORM") from None
    return form


@docs(tags=["submissions"], summary="Submit a solution; judged in the background", security=AUTH, requestBody=_FORM_DOC)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(RunIdSchema, 201)
@errors(400, 401, 403, 404, 413, 422, 429, 503)
async def submit(request: web.Request) -> web.Response:
    """POST /training-sessions/{ts}/submissions."""
    user, session = await member_session(request, request[MATCH]["ts"])
    contest = session_contest(request, session)
    if not request.app[JUDGE].ready:
        raise ServiceUnavailable(request.app[JUDGE].unavailable_reason, code="JUDGE_UNAVAILABLE")
    config = request.app[CONFIG]
    form = await _read_form(request, config.max_code_bytes)
    missing = [name for name in ("file", "compiler", "problem") if name not in form]
    if missing:
        raise ValidationFailed("missing form fields", {"fields": {name: ["required"] for name in missing}})
    if form["compiler"] not in COMPILERS:
        raise ValidationFailed("unknown compiler", {"fields": {"compiler": [f"one of {', '.join(COMPILERS)}"]}})
    if contest.problem(form["problem"]) is None:
        raise ValidationFailed("unknown problem", {"fields": {"problem": [f"one of {', '.join(contest.problems)}"]}})
    if not form["file"].strip():
        raise ValidationFailed("empty source", {"fields": {"file": ["empty"]}})
    try:
        place = request.app[JUDGE].reserve(session.team_id)  # before storing: a refused submission leaves no trace
    except TooManySubmissions as exc:
        raise TooManyRequests(
            str(exc),
            {"limit": exc.limit, "retryAfter": exc.retry_after},
            code="TOO_MANY_SUBMISSIONS",
            headers={"Retry-After": str(exc.retry_after)},
        ) from None
    now = utcnow()
    upsolving = not session.running or now >= session.ends_at
    elapsed = int((now - session.dt_created).total_seconds() * 1000)
    try:
        submission = await request.app[STORE].submissions.create(
            session.id, form["problem"], user.id, form["compiler"], form["file"], now, elapsed, upsolving
        )
    except BaseException:
        place.cancel()
        raise
    request.app[EVENTS].to_training(session.id, "SUBMISSION_VERDICT_PENDING", submission_short(submission))
    request.app[JUDGE].submit(place, submission.id)
    return web.json_response({"runId": submission.id}, status=201)


def _listing(submissions: list[Submission]) -> dict[str, Any]:
    return {"count": len(submissions), "submissions": [submission_short(s) for s in submissions]}


@docs(tags=["submissions"], summary="The session's submissions, newest first", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(SubmissionListSchema, 200)
@errors(401, 403, 404)
async def list_submissions(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/submissions."""
    _, session = await member_session(request, request[MATCH]["ts"])
    return web.json_response(_listing(await request.app[STORE].submissions.of_session(session.id)))


@docs(tags=["submissions"], summary="One problem's submissions, newest first", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(SubmissionListSchema, 200)
@errors(401, 403, 404)
async def problem_submissions(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/submissions/problem/{alias}."""
    _, session, problem = await path_problem(request)
    return web.json_response(_listing(await request.app[STORE].submissions.of_session(session.id, problem.alias)))


async def _submission(request: web.Request, full: bool) -> Submission:
    match = request[MATCH]
    _, session = await member_session(request, match["ts"])
    submission = await request.app[STORE].submissions.get(match["id"], full=full)
    if submission is None or submission.session_id != session.id:
        raise NotFound(f"no submission {match['id']} in this session", {"id": match["id"]})
    return submission


@docs(tags=["submissions"], summary="A submission (short)", security=AUTH)
@match_info_schema(SubmissionPathSchema, put_into=MATCH)
@response_schema(SubmissionSchema, 200)
@errors(401, 403, 404, 422)
async def get_submission(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/submissions/{id}."""
    return web.json_response(submission_short(await _submission(request, full=False)))


@docs(tags=["submissions"], summary="A submission with source, compile log and per-test log", security=AUTH)
@match_info_schema(SubmissionPathSchema, put_into=MATCH)
@response_schema(FullSubmissionSchema, 200)
@errors(401, 403, 404, 422)
async def get_full_submission(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/submissions/{id}/full."""
    return web.json_response(submission_full(await _submission(request, full=True)))


@docs(tags=["contests"], summary="ICPC standings of every session of this contest", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(StandingsSchema, 200)
@errors(401, 403, 404)
async def standings_view(request: web.Request) -> web.Response:
    """GET /contests/{ts}/standings."""
    _, session = await member_session(request, request[MATCH]["ts"])
    contest = session_contest(request, session)
    store = request.app[STORE]
    sessions = await store.sessions.of_contest(contest.id)
    names = await store.teams.names([s.team_id for s in sessions])
    participants = [Participant(s.id, names.get(s.team_id, f"team {s.team_id}")) for s in sessions]
    attempts = [
        Attempt(s.session_id, s.problem_alias, s.verdict, s.time_from_start, s.upsolving)
        for s in await store.submissions.of_contest(contest.id)
    ]
    titles = [(alias, p.name) for alias, p in contest.problems.items()]
    return web.json_response(standings(titles, participants, attempts))


def setup_submission_routes(app: web.Application) -> None:
    """Register the submission and standings routes."""
    app.router.add_post("/training-sessions/{ts}/submissions", submit)
    app.router.add_get("/training-sessions/{ts}/submissions", list_submissions)
    app.router.add_get("/training-sessions/{ts}/submissions/problem/{alias}", problem_submissions)
    app.router.add_get("/training-sessions/{ts}/submissions/{id}", get_submission)
    app.router.add_get("/training-sessions/{ts}/submissions/{id}/full", get_full_submission)
    app.router.add_get("/contests/{ts}/standings", standings_view)
