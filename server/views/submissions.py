"""Submissions: accept (stored pending before the answer), list, short and full views."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, response_schema
from marshmallow import ValidationError

from schemas.common import DuplicateErrorSchema
from schemas.contests import ProblemPathSchema, SessionPathSchema
from schemas.submissions import (
    FullSubmissionSchema,
    RunIdSchema,
    SubmissionFormSchema,
    SubmissionListSchema,
    SubmissionPathSchema,
    SubmissionSchema,
)

from ..http_errors import ValidationFailed
from ..keys import CONFIG
from .common import AUTH, MATCH, caller, dump, errors, match, services
from .forms import FORM_OVERHEAD, read_form

_FIELD_LIMIT = 1024  # compiler and problem are short identifiers
_FORM_DOC = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/SubmissionForm"}}},
}
_FORM = SubmissionFormSchema()
_RUN_ID = RunIdSchema()
_LIST = SubmissionListSchema()
_SHORT = SubmissionSchema()
_FULL = FullSubmissionSchema()


async def _read_form(request: web.Request, max_source: int) -> dict[str, Any]:
    """The submission's fields, read with the bounds of views.forms, then checked by the form schema."""
    limits = {"file": max_source, "compiler": _FIELD_LIMIT, "problem": _FIELD_LIMIT}
    raw = await read_form(request, limits, max_source + FORM_OVERHEAD)
    form: dict[str, Any] = {
        name: value if name == "file" else value.decode("utf-8", errors="replace").strip()
        for name, value in raw.items()
    }
    try:
        return _FORM.load(form)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise ValidationFailed("missing form fields", {"fields": exc.messages}) from None


@docs(tags=["submissions"], summary="Submit a solution; judged in the background", security=AUTH, requestBody=_FORM_DOC)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(RunIdSchema, 201)
@response_schema(DuplicateErrorSchema, 409, description="the same source, compiler and problem were submitted before")
@errors(400, 401, 403, 404, 411, 413, 422, 429, 503)
async def submit(request: web.Request) -> web.Response:
    """POST /training-sessions/{ts}/submissions (429 with Retry-After: the team's queue is full; 503: no judge)."""
    user = await caller(request)
    form = await _read_form(request, request.app[CONFIG].max_code_bytes)
    submission = await services(request).submissions.submit(
        user, match(request)["ts"], form["problem"], form["compiler"], form["file"]
    )
    return dump(_RUN_ID, submission, 201)


@docs(tags=["submissions"], summary="The session's submissions, newest first", security=AUTH)
@match_info_schema(SessionPathSchema, put_into=MATCH)
@response_schema(SubmissionListSchema, 200)
@errors(401, 403, 404)
async def list_submissions(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/submissions."""
    return dump(_LIST, await services(request).submissions.of_session(await caller(request), match(request)["ts"]))


@docs(tags=["submissions"], summary="One problem's submissions, newest first", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(SubmissionListSchema, 200)
@errors(401, 403, 404)
async def problem_submissions(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/submissions/problem/{alias}."""
    path = match(request)
    found = await services(request).submissions.of_problem(await caller(request), path["ts"], path["alias"])
    return dump(_LIST, found)


@docs(tags=["submissions"], summary="A submission (short)", security=AUTH)
@match_info_schema(SubmissionPathSchema, put_into=MATCH)
@response_schema(SubmissionSchema, 200)
@errors(401, 403, 404, 422)
async def get_submission(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/submissions/{id}."""
    path = match(request)
    found = await services(request).submissions.get(await caller(request), path["ts"], path["id"], full=False)
    return dump(_SHORT, found)


@docs(tags=["submissions"], summary="A submission with source, compile log and per-test log", security=AUTH)
@match_info_schema(SubmissionPathSchema, put_into=MATCH)
@response_schema(FullSubmissionSchema, 200)
@errors(401, 403, 404, 422)
async def get_full_submission(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/submissions/{id}/full."""
    path = match(request)
    found = await services(request).submissions.get(await caller(request), path["ts"], path["id"], full=True)
    return dump(_FULL, found)


def setup_submission_routes(app: web.Application) -> None:
    """Register the submission routes."""
    app.router.add_post("/training-sessions/{ts}/submissions", submit)
    app.router.add_get("/training-sessions/{ts}/submissions", list_submissions)
    app.router.add_get("/training-sessions/{ts}/submissions/problem/{alias}", problem_submissions)
    app.router.add_get("/training-sessions/{ts}/submissions/{id}", get_submission)
    app.router.add_get("/training-sessions/{ts}/submissions/{id}/full", get_full_submission)
