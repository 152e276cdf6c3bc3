"""Registration, login and the current user."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, response_schema

from schemas.common import UserSchema
from schemas.users import LoginSchema, RegisterSchema, UserWithTokenSchema

from .common import AUTH, caller, data, dump, errors, services

_ISSUED = UserWithTokenSchema()
_USER = UserSchema()


@docs(tags=["identity"], summary="Register a user and get a personal token")
@json_schema(RegisterSchema, required=True)
@response_schema(UserWithTokenSchema, 201)
@errors(400, 409, 422)
async def register(request: web.Request) -> web.Response:
    """POST /users."""
    body = data(request)
    issued = await services(request).users.register(
        body["login"], body["password"], body["first_name"], body["last_name"]
    )
    return dump(_ISSUED, issued, 201)


@docs(tags=["identity"], summary="Log in: a new token for login and password")
@json_schema(LoginSchema, required=True)
@response_schema(UserWithTokenSchema, 200)
@errors(400, 401, 422)
async def login(request: web.Request) -> web.Response:
    """POST /auth/token."""
    body = data(request)
    return dump(_ISSUED, await services(request).users.login(body["login"], body["password"]))


@docs(tags=["identity"], summary="The caller's user object", security=AUTH)
@response_schema(UserSchema, 200)
@errors(401)
async def me(request: web.Request) -> web.Response:
    """GET /user/me."""
    return dump(_USER, await caller(request))


def setup_user_routes(app: web.Application) -> None:
    """Register the identity routes."""
    app.router.add_post("/users", register)
    app.router.add_post("/auth/token", login)
    app.router.add_get("/user/me", me)
