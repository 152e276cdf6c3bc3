"""Helpers shared by the REST views: validated data and documented error answers."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp_apigami import response_schema

from schemas.common import ErrorSchema

from ..access import member_problem
from ..contests.models import Problem
from ..store.sessions import TrainingSession
from ..store.users import User

DATA = "json"  # where apigami's json_schema puts the parsed body
MATCH = "match"  # where parsed path parameters go
QUERY = "query"  # where parsed query parameters go
# OpenAPI security of every authenticated view: the header, or the cookie from the server's own origin
AUTH: list[dict[str, list[str]]] = [{"OAuth": []}, {"Cookie": []}]


def data(request: web.Request) -> dict[str, Any]:
    """The validated JSON body."""
    return request[DATA]  # type: ignore[no-any-return]


def errors(*statuses: int):  # type: ignore[no-untyped-def]
    """Document the JSON error answer for each status."""

    def decorate(handler):  # type: ignore[no-untyped-def]
        for status in statuses:
            handler = response_schema(ErrorSchema, status, description="JSON error (SPEC §4)")(handler)
        return handler

    return decorate


async def path_problem(request: web.Request) -> tuple[User, TrainingSession, Problem]:
    """The caller, their session and the problem named by the `{ts}` and `{alias}` path parameters."""
    match = request[MATCH]
    return await member_problem(request, match["ts"], match["alias"])
