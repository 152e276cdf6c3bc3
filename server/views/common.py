"""What every REST view shares: the caller, the services, the parsed input, and schema-dumped answers."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp_apigami import response_schema
from marshmallow import Schema

from schemas.common import ErrorSchema

from ..auth import ACCESS_COOKIE, token_from_header
from ..domain.errors import Forbidden
from ..domain.records import User
from ..keys import CONFIG, SERVICES
from ..origins import cookie_origin_allowed
from ..services import Services

DATA = "json"  # where apigami's json_schema puts the parsed body
MATCH = "match"  # where parsed path parameters go
QUERY = "query"  # where parsed query parameters go
# OpenAPI security of every authenticated view: the header, or the cookie from the server's own origin
AUTH: list[dict[str, list[str]]] = [{"OAuth": []}, {"Cookie": []}]
_USER = "trainer.user"


def services(request: web.Request) -> Services:
    """The app's services."""
    return request.app[SERVICES]


def data(request: web.Request) -> dict[str, Any]:
    """The validated JSON body."""
    return request[DATA]  # type: ignore[no-any-return]


def match(request: web.Request) -> dict[str, Any]:
    """The validated path parameters."""
    return request[MATCH]  # type: ignore[no-any-return]


def query(request: web.Request) -> dict[str, Any]:
    """The validated query parameters."""
    return request[QUERY]  # type: ignore[no-any-return]


def cookie_token(request: web.Request) -> str | None:
    """The `access_token` cookie's token, refused (403) when a foreign page's request carries it.

    The original web client keeps its token in this cookie and, on some calls (comments), sends no
    Authorization header: with client and server on one origin the cookie authenticates it.
    """
    token = request.cookies.get(ACCESS_COOKIE) or None
    if token is None:
        return None
    origin = request.headers.get("Origin")
    if not cookie_origin_allowed(origin, request.host, request.app[CONFIG].allow_origins):
        raise Forbidden(
            "the access_token cookie is not accepted from this Origin; send an Authorization header",
            {"origin": origin},
        )
    return token


async def caller(request: web.Request) -> User:
    """The caller, from `Authorization: OAuth|Bearer <token>` or the `access_token` cookie; 401 otherwise."""
    cached = request.get(_USER)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    token = token_from_header(request.headers.get("Authorization")) or cookie_token(request)
    user = await services(request).access.user_for_token(token)
    request[_USER] = user
    return user


def dump(schema: Schema, value: Any, status: int = 200) -> web.Response:
    """A JSON answer: the value dumped through its response schema."""
    return web.json_response(schema.dump(value), status=status)


def errors(*statuses: int):  # type: ignore[no-untyped-def]
    """Document the JSON error answer for each status."""

    def decorate(handler):  # type: ignore[no-untyped-def]
        for status in statuses:
            handler = response_schema(ErrorSchema, status, description="JSON error (docs/protocol.md)")(handler)
        return handler

    return decorate
