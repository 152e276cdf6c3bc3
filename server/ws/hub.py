"""The WebSocket side of one app: every open connection, joining and leaving rooms, heartbeat, shutdown."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web

from ..config import Config
from ..domain.events import DomainEvent, MemberRemoved, TokensRevoked
from ..rooms.base import Room
from ..rooms.lobby import LobbyRoom
from ..rooms.registry import RoomRegistry
from ..rooms.training import SessionFacts, TrainingRoom
from . import const, messages
from .connection import Connection
from .dispatcher import Dispatcher
from .handshake import LobbyAdmission, TrainingAdmission
from .limits import WsLimits

log = logging.getLogger(__name__)


@dataclass(slots=True)
class WsTotals:
    """Message counts for /metrics: kept as plain ints where the messages pass (a few ns each)."""

    frames_in: int = 0  # text frames received
    sent: int = 0  # frames written, by connections that have ended (live ones: their writer's stats)
    dropped: int = 0  # frames never written, likewise


class WsHub:
    """Joins and leaves rooms for connections, drops removed members, closes everything at shutdown."""

    def __init__(self, config: Config, limits: WsLimits, registry: RoomRegistry, dispatcher: Dispatcher) -> None:
        self.config = config
        self.limits = limits
        self.registry = registry
        self.dispatcher = dispatcher
        self.connections: set[Connection] = set()
        self.shutting_down = False
        self.totals = WsTotals()

    def new_socket(self) -> web.WebSocketResponse:
        """A WebSocketResponse with the protocol's limits (1009 above MAX_MESSAGE_BYTES, no compression).

        aiohttp's heartbeat and autoping are off: the receive loop answers pings and marks every frame,
        pongs included, and heartbeat() pings and drops (see Liveness for why).
        """
        return web.WebSocketResponse(
            heartbeat=None,
            autoping=False,
            max_msg_size=self.config.max_message_bytes,
            compress=False,
            timeout=self.limits.close_timeout,
        )

    def connection(
        self, ws: web.WebSocketResponse, admission: LobbyAdmission | TrainingAdmission, request: web.Request
    ) -> Connection:
        """A connection for an accepted socket, registered until it ends."""
        conn = Connection(ws, admission.user, self.limits, request.transport, admission.token_hash)
        self.connections.add(conn)
        return conn

    def forget(self, conn: Connection) -> None:
        """A connection has ended: unregister it, keeping its counts in the totals."""
        if conn in self.connections:
            self.connections.remove(conn)
            stats = conn.writer.stats
            self.totals.sent += stats.direct + stats.from_queue
            self.totals.dropped += stats.dropped

    def frames_out(self) -> tuple[int, int]:
        """Frames written and frames dropped since the start, ended and live connections together."""
        sent, dropped = self.totals.sent, self.totals.dropped
        for conn in self.connections:
            stats = conn.writer.stats
            sent += stats.direct + stats.from_queue
            dropped += stats.dropped
        return sent, dropped

    async def heartbeat(self) -> None:
        """Every half WS_HEARTBEAT, judge every open socket: ping the silent, drop the unanswering."""
        while True:
            await asyncio.sleep(self.config.ws_heartbeat / 2)
            for conn in list(self.connections):
                try:
                    conn.check_alive()
                except Exception:  # one broken socket must not stop the heartbeat of all the others
                    log.exception("heartbeat check of user %s failed", conn.user.id)

    async def join_lobby(self, conn: Connection, admission: LobbyAdmission) -> LobbyRoom:
        """Enter the team's lobby; raises RoomFull."""
        room = await self.registry.lobby(admission.team.id, create=True)
        assert room is not None
        with room.pinned():  # waiting for the lock must not see the room evicted before the user is in
            async with room.lock:
                self._enter(room, conn)
        return room

    async def join_training(self, conn: Connection, admission: TrainingAdmission) -> TrainingRoom:
        """Enter the session's room; raises RoomFull."""
        facts = SessionFacts.of(admission.session, admission.contest.problems)
        room = await self.registry.training(admission.session.id, facts, create=True)
        assert room is not None
        with room.pinned():  # waiting for the lock must not see the room evicted before the user is in
            async with room.lock:
                self._enter(room, conn)
        return room

    def _enter(self, room: LobbyRoom | TrainingRoom, conn: Connection) -> None:
        """Admit; USER_JOIN to all for the user's first socket; then ROOM_STATE to the newcomer.

        A user's sockets beyond MAX_SOCKETS_PER_USER are closed oldest first with 1000, the one code
        after which the web client does not reconnect (so two tabs never kick each other out in a loop).
        """
        admission = room.add(conn, self.config.max_connections_per_group, self.config.max_sockets_per_user)
        for old in admission.evicted:
            if isinstance(old, Connection):
                old.close_soon(const.CLOSE_NORMAL, const.REASON_TOO_MANY_SOCKETS)
        if admission.first:
            room.broadcast(messages.user_join(conn.user.id))
        conn.send(messages.room_state(room))

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

    def on_event(self, event: DomainEvent) -> None:
        """EventBus subscriber: sockets lose access at once when their user leaves a team or their token is revoked."""
        if isinstance(event, MemberRemoved):
            lobby = self.registry.find_lobby(event.team_id)
            rooms: list[Room] = [lobby] if lobby is not None else []
            rooms += self.registry.trainings_of_team(event.team_id)
            for room in rooms:
                for peer in room.peers_of(event.user_id):
                    if isinstance(peer, Connection):
                        peer.close_soon(const.CLOSE_POLICY_VIOLATION, const.REASON_REMOVED)
        elif isinstance(event, TokensRevoked):
            for conn in list(self.connections):
                if conn.user.id == event.user_id and event.covers(conn.token_hash):
                    conn.close_soon(const.CLOSE_POLICY_VIOLATION, const.REASON_SIGNED_OUT)

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
