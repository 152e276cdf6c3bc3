"""Helpers shared by the WebSocket tests (this module holds no tests)."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import ClientWebSocketResponse, DummyCookieJar, WSMsgType
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config
from server.keys import WS_HUB
from server.ws.limits import WsLimits

from .api import Account

TIMEOUT = 10.0
ClientFactory = Callable[..., Awaitable[TestClient]]


async def start(aiohttp_client: ClientFactory, config: Config, **overrides: Any) -> TestClient:
    """A test client; `overrides` set Config fields or WsLimits fields (the protocol's limits) by name."""
    limit_names = {f.name for f in dataclasses.fields(WsLimits)}
    limits = {k: v for k, v in overrides.items() if k in limit_names}
    settings = {k: v for k, v in overrides.items() if k not in limit_names}
    app = create_app(dataclasses.replace(config, **settings), WsLimits(**limits))
    return await aiohttp_client(app, cookie_jar=DummyCookieJar())  # no cookie unless a test sends one


def limits_of(client: TestClient) -> WsLimits:
    """The live protocol limits of the app under test."""
    return client.app[WS_HUB].limits  # type: ignore[index]


async def connect(
    client: TestClient, path: str, params: dict[str, Any], account: Account | None = None, how: str = "query"
) -> ClientWebSocketResponse:
    """Open a socket, passing the account's token by query, header or cookie."""
    params = {k: str(v) for k, v in params.items()}
    headers: dict[str, str] = {}
    if account is not None:
        if how == "query":
            params["token"] = account.token
        elif how == "header":
            headers["Authorization"] = f"OAuth {account.token}"
        elif how == "cookie":
            headers["Cookie"] = f"access_token={account.token}"
        elif how != "none":
            raise ValueError(how)
    return await client.ws_connect(path, params=params, headers=headers, autoping=True)


async def lobby(client: TestClient, account: Account, team_id: int, how: str = "query") -> ClientWebSocketResponse:
    """A lobby socket for account."""
    return await connect(client, "/ws/lobby", {"team_id": team_id, "user_id": account.id}, account, how)


async def training(client: TestClient, account: Account, session_id: str) -> ClientWebSocketResponse:
    """A training-room socket for account."""
    return await connect(client, "/ws/training", {"training_session_id": session_id, "user_id": account.id}, account)


async def next_json(ws: ClientWebSocketResponse) -> dict[str, Any]:
    """The next frame, which must be a JSON text frame."""
    msg = await ws.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.TEXT, f"expected a text frame, got {msg.type!r} {msg.data!r} {msg.extra!r}"
    return orjson.loads(msg.data)  # type: ignore[no-any-return]


async def until(ws: ClientWebSocketResponse, type_: str) -> dict[str, Any]:
    """Skip frames until one of this type arrives; returns it."""
    while True:
        frame = await next_json(ws)
        if frame["type"] == type_:
            return frame


async def joined(ws: ClientWebSocketResponse, user_id: str) -> dict[str, Any]:
    """Assert the newcomer's first two frames (USER_JOIN of itself, ROOM_STATE); returns the state."""
    first = await next_json(ws)
    assert first == {"type": "USER_JOIN", "payload": {"userId": user_id}}
    second = await next_json(ws)
    assert second["type"] == "ROOM_STATE"
    return second["payload"]  # type: ignore[no-any-return]


async def another_tab(ws: ClientWebSocketResponse) -> dict[str, Any]:
    """Assert a further socket of a user already in the room: ROOM_STATE first (no USER_JOIN); returns it."""
    first = await next_json(ws)
    assert first["type"] == "ROOM_STATE", first
    return first["payload"]  # type: ignore[no-any-return]


async def closed_with(ws: ClientWebSocketResponse) -> tuple[int | None, str]:
    """Read until the server's close frame; returns (code, reason). Text frames before it are skipped."""
    while True:
        msg = await ws.receive(timeout=TIMEOUT)
        if msg.type is WSMsgType.CLOSE:
            return msg.data, msg.extra or ""
        if msg.type in (WSMsgType.CLOSED, WSMsgType.ERROR):
            return ws.close_code, ""


def frame(type_: str, **payload: Any) -> str:
    """A client message as text."""
    return orjson.dumps({"type": type_, "payload": payload}).decode()


async def frames_until(ws: ClientWebSocketResponse, type_: str) -> list[dict[str, Any]]:
    """Every frame up to and including the first of this type."""
    frames = []
    while True:
        frames.append(await next_json(ws))
        if frames[-1]["type"] == type_:
            return frames


async def sync(ws: ClientWebSocketResponse, user_id: str) -> list[dict[str, Any]]:
    """Send USER and read up to its own echo; returns the frames that came before the echo."""
    await ws.send_str(frame("USER", user={}))
    frames = []
    while True:
        got = await next_json(ws)
        if got["type"] == "USER" and got["payload"]["user"]["id"] == user_id:
            return frames
        frames.append(got)
