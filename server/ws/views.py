"""The two WebSocket endpoints: accept, admit or refuse (1008), join, receive until closed, leave."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from aiohttp import WSMsgType, web

from ..contests.models import ContestCatalog
from ..domain.errors import RoomFull
from ..judge.compilers import CompilerInfo
from ..rooms.lobby import LobbyRoom
from ..rooms.training import TrainingRoom
from ..services.access import AccessService
from ..store import Store
from . import const
from .connection import Connection
from .decorators import MessageContext
from .handshake import LobbyAdmission, Refused, TrainingAdmission, admit_lobby, admit_training
from .hub import WsHub

log = logging.getLogger(__name__)

A = TypeVar("A", LobbyAdmission, TrainingAdmission)
R = TypeVar("R", LobbyRoom, TrainingRoom)


class SocketEndpoints:
    """`/ws/lobby` and `/ws/training`, with what a socket's messages need, given at construction."""

    def __init__(
        self,
        hub: WsHub,
        access: AccessService,
        store: Store,
        contests: ContestCatalog,
        compilers: Mapping[str, CompilerInfo],
    ) -> None:
        self._hub = hub
        self._access = access
        self._store = store
        self._contests = contests
        self._compilers = compilers

    async def lobby(self, request: web.Request) -> web.StreamResponse:
        """GET /ws/lobby?team_id=&user_id=."""
        hub = self._hub
        return await self._serve(request, lambda: admit_lobby(request, self._access, hub.config), hub.join_lobby)

    async def training(self, request: web.Request) -> web.StreamResponse:
        """GET /ws/training?training_session_id=&user_id=."""
        hub = self._hub
        return await self._serve(request, lambda: admit_training(request, self._access, hub.config), hub.join_training)

    async def _serve(
        self,
        request: web.Request,
        admit: Callable[[], Awaitable[A]],
        join: Callable[[Connection, A], Awaitable[R]],
    ) -> web.StreamResponse:
        hub = self._hub
        try:
            admission = await admit()  # before accepting: a refused socket is accepted only to carry its close frame
        except Refused as exc:
            return await _refuse(request, hub, const.CLOSE_POLICY_VIOLATION, exc.reason)
        except Exception:
            log.exception("WebSocket handshake failed")
            return await _refuse(request, hub, 1011, "internal error")
        if hub.shutting_down:
            return await _refuse(request, hub, const.CLOSE_GOING_AWAY, const.REASON_SHUTDOWN)
        ws = hub.new_socket()
        await ws.prepare(request)
        conn = hub.connection(ws, admission, request)
        try:
            if hub.shutting_down:  # close_all() ran while we were accepting: it did not see this socket
                await _close_receiving(ws, conn, const.CLOSE_GOING_AWAY, const.REASON_SHUTDOWN)
                return ws
            try:
                room = await join(conn, admission)
            except RoomFull:
                await _close_receiving(ws, conn, const.CLOSE_POLICY_VIOLATION, const.REASON_ROOM_FULL)
                return ws
            ctx = hub.dispatcher.context(conn, room, self._store, self._contests, self._compilers, hub.config)
            # The loop gets a task of its own because every frame resumes the chain of coroutines awaiting it,
            # and from the request's task that chain runs through aiohttp's handler and every middleware:
            # 64.3 -> 61.5 µs per update at saturation (bench/README.md). Cancelling this task cancels it too.
            receiving = asyncio.create_task(_receive(ws, conn, ctx, hub), name=f"ws-receive-user-{conn.user.id}")
            try:
                await receiving
            finally:
                try:
                    await ctx.coalescer.drain()  # editor updates still waiting are applied, never lost
                finally:
                    await hub.leave(room, conn)
            await conn.close(const.CLOSE_NORMAL, "")
        finally:
            hub.connections.discard(conn)
            conn.close_soon(1011, "internal error")  # a no-op after any close above; else never leak the writer
        return ws


async def _refuse(request: web.Request, hub: WsHub, code: int, reason: str) -> web.WebSocketResponse:
    """Accept the socket and close it at once: refusals are close frames, so the client can read the reason."""
    ws = hub.new_socket()
    await ws.prepare(request)
    await ws.close(code=code, message=reason.encode())
    return ws


async def _receive(ws: web.WebSocketResponse, conn: Connection, ctx: MessageContext, hub: WsHub) -> None:
    """The only place that calls receive(); returns when the socket is closing for any reason."""
    liveness, dispatch = conn.liveness, hub.dispatcher.dispatch
    while True:
        msg = await ws.receive()
        liveness.heard = True
        if msg.type is WSMsgType.TEXT:
            if not conn.closing:  # a replaced or dropped socket's late frames must not change the room
                await dispatch(ctx, msg.data)
        elif msg.type is WSMsgType.PING:  # autoping is off, so that pongs reach this loop (see Liveness)
            with contextlib.suppress(ConnectionError):
                await ws.pong(msg.data)
        elif msg.type is WSMsgType.PONG:
            pass
        elif msg.type is WSMsgType.BINARY:
            await _close_receiving(ws, conn, const.CLOSE_UNSUPPORTED_DATA, const.REASON_BINARY)
            return
        else:  # CLOSE, CLOSING, CLOSED or ERROR (aiohttp already closed a too-big frame with 1009)
            return


_STILL_OPEN = frozenset({WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.PING, WSMsgType.PONG})


async def _close_receiving(ws: web.WebSocketResponse, conn: Connection, code: int, reason: str) -> None:
    """Close from the handler task while it keeps receiving (and applying nothing more).

    The close runs in the connection's closer task while this loop reads, and ignores, whatever the peer
    still sends until its close frame or the socket's end: only this task ever calls receive().
    """
    conn.close_soon(code, reason)
    while (await ws.receive()).type in _STILL_OPEN:
        pass
    await conn.wait_closed()
