"""Registration, login and logout, the current user and their password."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, response_schema

from schemas.common import UserSchema
from schemas.users import LoginSchema, PasswordChangeSchema, RegisterSchema, UserWithTokenSchema

from ..services.users import NewAccount
from .common import (
    AUTH,
    caller,
    caller_with_token,
    clear_access_cookie,
    client_address,
    data,
    dump,
    errors,
    header_caller,
    services,
    set_access_cookie,
)

_ISSUED = UserWithTokenSchema()
_USER = UserSchema()
_NO_CONTENT = {204: {"description": "done; the access_token cookie is cleared"}}


@docs(
    tags=["identity"],
    summary="Register a user and get a personal token (sets the access_token cookie)",
    description="REGISTRATION=open: anyone; =invite: with `invite_code`; =closed: nobody. An admin "
    "(ADMIN_LOGINS) creating an account with their Authorization header may in every mode (no cookie is set "
    "then). Throttled per client address and login: 429 with Retry-After.",
    security=[{}, {"OAuth": []}],
)
@json_schema(RegisterSchema, required=True)
@response_schema(UserWithTokenSchema, 201)
@errors(400, 401, 403, 409, 422, 429)
async def register(request: web.Request) -> web.Response:
    """POST /users."""
    body = data(request)
    admin = await header_caller(request)
    account = NewAccount(body["login"], body["password"], body["first_name"], body["last_name"], body["invite_code"])
    issued = await services(request).users.register(account, client_address(request), by=admin)
    response = dump(_ISSUED, issued, 201)
    if admin is None:  # an admin's browser keeps the admin signed in
        set_access_cookie(response, request, issued.token)
    return response


@docs(
    tags=["identity"],
    summary="Log in: a new token for login and password (sets the access_token cookie)",
    description="A user keeps at most MAX_TOKENS_PER_USER tokens: the least recently used beyond that are "
    "revoked. Throttled per client address and login: 429 with Retry-After.",
)
@json_schema(LoginSchema, required=True)
@response_schema(UserWithTokenSchema, 200)
@errors(400, 401, 422, 429)
async def login(request: web.Request) -> web.Response:
    """POST /auth/token."""
    body = data(request)
    issued = await services(request).users.login(body["login"], body["password"], client_address(request))
    response = dump(_ISSUED, issued)
    set_access_cookie(response, request, issued.token)
    return response


@docs(tags=["identity"], summary="Log out: revoke the token used for this call", security=AUTH, responses=_NO_CONTENT)
@errors(401, 403)
async def logout(request: web.Request) -> web.Response:
    """DELETE /auth/token."""
    user, token = await caller_with_token(request)
    await services(request).users.logout(user, token)
    response = web.Response(status=204)
    clear_access_cookie(response, request)
    return response


@docs(
    tags=["identity"],
    summary="Log out everywhere: revoke every token of the caller",
    security=AUTH,
    responses=_NO_CONTENT,
)
@errors(401, 403)
async def logout_everywhere(request: web.Request) -> web.Response:
    """DELETE /auth/tokens."""
    await services(request).users.logout_everywhere(await caller(request))
    response = web.Response(status=204)
    clear_access_cookie(response, request)
    return response


@docs(tags=["identity"], summary="The caller's user object", security=AUTH)
@response_schema(UserSchema, 200)
@errors(401, 403)
async def me(request: web.Request) -> web.Response:
    """GET /user/me."""
    return dump(_USER, await caller(request))


@docs(
    tags=["identity"],
    summary="Change my password; every other token of mine is revoked",
    description="A wrong `current_password` is 422 on that field. Throttled like a login: 429 with Retry-After.",
    security=AUTH,
    responses={204: {"description": "changed; this token stays valid"}},
)
@json_schema(PasswordChangeSchema, required=True)
@errors(400, 401, 403, 422, 429)
async def change_password(request: web.Request) -> web.Response:
    """POST /user/me/password."""
    user, token = await caller_with_token(request)
    body = data(request)
    await services(request).users.change_password(
        user, token, body["current_password"], body["new_password"], client_address(request)
    )
    return web.Response(status=204)


def setup_user_routes(app: web.Application) -> None:
    """Register the identity routes."""
    app.router.add_post("/users", register)
    app.router.add_post("/auth/token", login)
    app.router.add_delete("/auth/token", logout)
    app.router.add_delete("/auth/tokens", logout_everywhere)
    app.router.add_get("/user/me", me)
    app.router.add_post("/user/me/password", change_password)
