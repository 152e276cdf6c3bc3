"""The WebSocket service of one app: settings, rooms, dispatcher and every open connection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..rooms.base import Room
from ..rooms.lobby import LobbyRoom
from ..rooms.registry import RoomRegistry
from ..rooms.training import TrainingRoom
from . import const, messages
from .connection import Connection
from .dispatcher import Dispatcher
from .handshake import LobbyAdmission, TrainingAdmission
from .settings import WsSettings

log = logging.getLogger(__name__)


class WsHub:
    """Joins and leaves rooms for connections and closes them all at shutdown."""

    def __init__(self, settings: WsSettings, registry: RoomRegistry, dispatcher: Dispatcher) -> None:
        self.settings = settings
        self.registry = registry
        self.dispatcher = dispatcher
        self.connections: set[Connection] = set()
        self.shutting_down = False

    def new_socket(self) -> web.WebSocketResponse:
        """A WebSocketResponse with the protocol's limits (1009 above MAX_MESSAGE_BYTES, no compression).

        aiohttp's heartbeat and autoping are off: the receive loop answers pings and marks every frame,
        pongs included, and heartbeat() pings and drops (see Liveness for why).
        """
        s = self.settings
        return web.WebSocketResponse(
            heartbeat=None,
            autoping=False,
            max_msg_size=s.max_message_bytes,
            compress=False,
            timeout=s.close_timeout,
        )

    async def heartbeat(self) -> None:
        """Every half WS_HEARTBEAT, judge every open socket: ping the silent, drop the unanswering."""
        while True:
            await asyncio.sleep(self.settings.heartbeat / 2)
            for conn in list(self.connections):
                try:
                    conn.check_alive()
                except Exception:  # one broken socket must not stop the heartbeat of all the others
                    log.exception("heartbeat check of user %s failed", conn.user.id)

    async def join_lobby(self, conn: Connection, admission: LobbyAdmission) -> LobbyRoom:
        """Enter the team's lobby; raises RoomFull."""
        room = await self.registry.load_lobby(admission.team.id, create=True)
        assert room is not None
        with room.pinned():  # waiting for the lock must not see the room evicted before the user is in
            async with room.lock:
                self._enter(room, conn, room.state)
        return room

    async def join_training(self, conn: Connection, admission: TrainingAdmission) -> TrainingRoom:
        """Enter the session's room; raises RoomFull."""
        session = admission.session
        room = await self.registry.load_training(session.id, create=True)
        assert room is not None
        with room.pinned():  # the awaits below must not see the room evicted before the user is in
            room.bind(session.team_id, session.contest_id, admission.contest.problems, session.status)
            # Read stored progress before taking the lock, so a slow database never stalls the room; merging
            # only moves statuses forward, so a verdict broadcast meanwhile is never undone.
            await self.registry.load_problems(room)
            async with room.lock:
                self._enter(room, conn, room.state)
        return room

    def _enter(self, room: Room, conn: Connection, state: Callable[[], dict[str, Any]]) -> None:
        """Admit; USER_JOIN to all for the user's first socket; then ROOM_STATE to the newcomer.

        A user's sockets beyond MAX_SOCKETS_PER_USER are closed oldest first with 1000, the one code
        after which the web client does not reconnect (so two tabs never kick each other out in a loop).
        """
        admission = room.add(conn, self.settings.max_connections, self.settings.max_sockets_per_user)
        for old in admission.evicted:
            if isinstance(old, Connection):
                old.close_soon(const.CLOSE_NORMAL, const.REASON_TOO_MANY_SOCKETS)
        if admission.first:
            room.broadcast(messages.user_join(conn.user.id))
        conn.send(messages.room_state(state()))

    async def leave(self, room: Room, conn: Connection) -> None:
        """Leave a room; USER_LEAVE to the rest when it was the user's last connection there."""
        try:
            async with room.lock:
                self._leave(room, conn)
        except asyncio.CancelledError:
            self._leave(room, conn)  # never leave a ghost online; the change itself needs no await
            raise

    @staticmethod
    def _leave(room: Room, conn: Connection) -> None:
        if room.remove(conn):
            room.broadcast(messages.user_leave(conn.user.id))

    def drop_member(self, team_id: int, user_id: int) -> None:
        """Close a removed member's sockets in the team's lobby and training rooms (1008)."""
        lobby = self.registry.find_lobby(team_id)
        rooms: list[Room] = [lobby] if lobby is not None else []
        rooms += [r for r in self.registry if isinstance(r, TrainingRoom) and r.team_id == team_id]
        for room in rooms:
            for peer in room.peers_of(user_id):
                if isinstance(peer, Connection):
                    peer.close_soon(const.CLOSE_POLICY_VIOLATION, const.REASON_REMOVED)

    async def close_all(self) -> None:
        """Close every socket with 1001 (graceful shutdown); new handshakes are refused from now on."""
        self.shutting_down = True
        conns = list(self.connections)
        results = await asyncio.gather(
            *(c.close(const.CLOSE_GOING_AWAY, const.REASON_SHUTDOWN) for c in conns), return_exceptions=True
        )
        for result in results:
            if isinstance(result, Exception):
                log.warning("closing a socket at shutdown failed: %r", result)
        log.info("%d sockets closed for shutdown", len(conns))
