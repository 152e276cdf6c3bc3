"""The two WebSocket endpoints: accept, admit or refuse (1008), join, receive until closed, leave."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import WSMsgType, web

from ..keys import CONTESTS, STORE, WS_HUB
from ..rooms.errors import RoomFull
from ..rooms.lobby import LobbyRoom
from ..rooms.training import TrainingRoom
from . import const
from .commands import MessageContext
from .connection import Connection
from .handshake import LobbyAdmission, Refused, TrainingAdmission, admit_lobby, admit_training
from .hub import WsHub

log = logging.getLogger(__name__)

A = TypeVar("A", LobbyAdmission, TrainingAdmission)
R = TypeVar("R", LobbyRoom, TrainingRoom)


async def lobby_socket(request: web.Request) -> web.StreamResponse:
    """GET /ws/lobby?team_id=&user_id=."""
    hub = request.app[WS_HUB]
    store = request.app[STORE]
    return await _serve(request, hub, lambda: admit_lobby(request, store, hub.settings), hub.join_lobby)


async def training_socket(request: web.Request) -> web.StreamResponse:
    """GET /ws/training?training_session_id=&user_id=."""
    hub = request.app[WS_HUB]
    store, contests = request.app[STORE], request.app[CONTESTS]
    return await _serve(request, hub, lambda: admit_training(request, store, contests, hub.settings), hub.join_training)


async def _serve(
    request: web.Request,
    hub: WsHub,
    admit: Callable[[], Awaitable[A]],
    join: Callable[[Connection, A], Awaitable[R]],
) -> web.StreamResponse:
    ws = hub.new_socket()
    await ws.prepare(request)  # refusals are sent as close frames, so the client can read the reason
    try:
        admission = await admit()
    except Refused as exc:
        await ws.close(code=const.CLOSE_POLICY_VIOLATION, message=exc.reason.encode())
        return ws
    except Exception:
        log.exception("WebSocket handshake failed")
        await ws.close(code=1011, message=b"internal error")
        return ws
    if hub.shutting_down:
        await ws.close(code=const.CLOSE_GOING_AWAY, message=const.REASON_SHUTDOWN.encode())
        return ws
    conn = Connection(ws, admission.user, hub.settings, request.transport)
    hub.connections.add(conn)
    conn.start()
    try:
        try:
            room = await join(conn, admission)
        except RoomFull:
            await conn.close(const.CLOSE_POLICY_VIOLATION, const.REASON_ROOM_FULL)
            return ws
        ctx = MessageContext(conn, room, request.app[STORE], request.app[CONTESTS], hub.settings)
        try:
            await _receive(ws, conn, ctx, hub)
        finally:
            await hub.leave(room, conn)
        await conn.close(const.CLOSE_NORMAL, "")
    finally:
        hub.connections.discard(conn)
    return ws


async def _receive(ws: web.WebSocketResponse, conn: Connection, ctx: MessageContext, hub: WsHub) -> None:
    """The only place that calls receive(); returns when the socket is closing for any reason."""
    while True:
        msg = await ws.receive()
        if msg.type is WSMsgType.TEXT:
            await hub.dispatcher.dispatch(ctx, msg.data)
        elif msg.type is WSMsgType.BINARY:
            await conn.close(const.CLOSE_UNSUPPORTED_DATA, const.REASON_BINARY)
            return
        else:  # CLOSE, CLOSING, CLOSED or ERROR (aiohttp already closed a too-big frame with 1009)
            return
