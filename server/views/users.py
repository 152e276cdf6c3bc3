"""Registration, login and the current user."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, response_schema

from schemas.common import UserSchema
from schemas.users import LoginSchema, RegisterSchema, UserWithTokenSchema

from ..access import require_user
from ..auth import DUMMY_HASH, hash_password, new_token, token_hash, verify_password
from ..errors import Conflict, Unauthorized
from ..keys import STORE
from ..store.users import LoginTaken
from .common import AUTH, data, errors


@docs(tags=["identity"], summary="Register a user and get a personal token")
@json_schema(RegisterSchema, required=True)
@response_schema(UserWithTokenSchema, 201)
@errors(400, 409, 422)
async def register(request: web.Request) -> web.Response:
    """POST /users."""
    body = data(request)
    login = body["login"]
    store = request.app[STORE]
    if await store.users.by_login(login) is not None:
        raise Conflict(f"login {login!r} is taken", {"login": login})
    first = (body["first_name"] or "").strip() or login
    last = (body["last_name"] or "").strip() or login
    token = new_token()
    try:
        user = await store.users.create(login, await hash_password(body["password"]), first, last, token_hash(token))
    except LoginTaken:
        raise Conflict(f"login {login!r} is taken", {"login": login}) from None
    return web.json_response({"user": user.to_wire(), "token": token}, status=201)


@docs(tags=["identity"], summary="Log in: a new token for login and password")
@json_schema(LoginSchema, required=True)
@response_schema(UserWithTokenSchema, 200)
@errors(400, 401, 422)
async def login(request: web.Request) -> web.Response:
    """POST /auth/token."""
    body = data(request)
    store = request.app[STORE]
    user = await store.users.by_login(body["login"])
    stored = user.password_hash if user is not None else DUMMY_HASH
    if not await verify_password(body["password"], stored) or user is None:
        raise Unauthorized("wrong login or password")
    token = new_token()
    await store.users.add_token(user.id, token_hash(token))
    return web.json_response({"token": token, "user": user.to_wire()})


@docs(tags=["identity"], summary="The caller's user object", security=AUTH)
@response_schema(UserSchema, 200)
@errors(401)
async def me(request: web.Request) -> web.Response:
    """GET /user/me."""
    user = await require_user(request)
    return web.json_response(user.to_wire())


def setup_user_routes(app: web.Application) -> None:
    """Register the identity routes."""
    app.router.add_post("/users", register)
    app.router.add_post("/auth/token", login)
    app.router.add_get("/user/me", me)
