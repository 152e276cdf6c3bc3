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
from ..keys import CONFIG, PROXIES, SERVICES
from ..origins import cookie_origin_allowed
from ..services import Services

DATA = "json"  # where apigami's json_schema puts the parsed body
MATCH = "match"  # where parsed path parameters go
QUERY = "query"  # where parsed query parameters go
# OpenAPI security of every authenticated view: the header, or the cookie from the server's own origin
AUTH: list[dict[str, list[str]]] = [{"OAuth": []}, {"Cookie": []}]
_USER = "trainer.user"
_TOKEN = "trainer.token"
# The cookie outlives nothing that matters: the token in it stops working after TOKEN_IDLE_DAYS unused
# (checked on every use), so it may stay as long as browsers allow and spare the user a daily sign-in.
COOKIE_MAX_AGE = 365 * 86400


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
    request[_USER], request[_TOKEN] = user, token
    return user


async def caller_with_token(request: web.Request) -> tuple[User, str]:
    """The caller and the token they authenticated with (to revoke it, or keep it when revoking the rest)."""
    user = await caller(request)
    return user, request[_TOKEN]


async def header_caller(request: web.Request) -> User | None:
    """The user of an explicit Authorization header, None without one; never the cookie (which is ambient)."""
    token = token_from_header(request.headers.get("Authorization"))
    return None if token is None else await services(request).access.user_for_token(token)


def client_address(request: web.Request) -> str:
    """The client's IP address: the peer, or behind a TRUSTED_PROXIES proxy the one it forwarded for."""
    return request.app[PROXIES].client(request.remote, request.headers.getall("X-Forwarded-For", ()))


def is_https(request: web.Request) -> bool:
    """True when the client came over HTTPS: a TLS connection, or `X-Forwarded-Proto: https` from a
    proxy in TRUSTED_PROXIES (the header from anyone else is ignored)."""
    return request.app[PROXIES].https(request.remote, request.secure, request.headers.get("X-Forwarded-Proto"))


def set_access_cookie(response: web.StreamResponse, request: web.Request, token: str) -> None:
    """Set the `access_token` cookie: HttpOnly, SameSite=Lax, and Secure when the client came over HTTPS."""
    secure = is_https(request)
    response.set_cookie(
        ACCESS_COOKIE, token, max_age=COOKIE_MAX_AGE, path="/", httponly=True, samesite="Lax", secure=secure
    )


def clear_access_cookie(response: web.StreamResponse, request: web.Request) -> None:
    """Tell the browser to drop the `access_token` cookie (with the attributes it was set with)."""
    secure = is_https(request)
    response.del_cookie(ACCESS_COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")


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
