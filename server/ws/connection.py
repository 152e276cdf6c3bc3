"""One accepted socket: its user, its writer, its heartbeat state, and one close."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging

from aiohttp import web

from ..domain.records import User
from . import const
from .framing import Frame
from .limits import WsLimits
from .liveness import Beat, Liveness
from .ratelimit import TokenBucket
from .writer import FrameWriter, Sent

log = logging.getLogger(__name__)

_MAX_REASON_BYTES = 123  # RFC 6455: a close frame's reason fits in 123 bytes


class State(enum.Enum):
    """A connection's life: frames are sent only while OPEN; it never goes back."""

    OPEN = "open"
    CLOSING = "closing"  # our close started: queued frames may still flush, new ones are dropped
    GONE = "gone"  # the peer is gone, a write failed, or the close finished: nothing more is written


class Connection:
    """Rooms call send(); only the writer writes and only the receive loop receives."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        user: User,
        limits: WsLimits,
        transport: asyncio.BaseTransport | None,
        token_hash: str | None = None,
    ) -> None:
        self.ws = ws
        self._user = user
        self.token_hash = token_hash  # of the token it was opened with: revoking the token closes it
        self._limits = limits
        self._transport = transport
        self.state = State.OPEN
        self._writer = FrameWriter(
            ws,
            transport,
            limits.outbound_max_messages,
            limits.outbound_max_bytes,
            on_broken=self._gone,
            name=f"ws-writer-user-{user.id}",
        )
        self._closer: asyncio.Task[None] | None = None
        self.bucket = TokenBucket(limits.rate_per_second, limits.rate_burst)  # messages but coalesced ones
        self.liveness = Liveness()  # the receive loop marks every frame; WsHub's heartbeat sweep judges it
        self._ping_task: asyncio.Task[None] | None = None

    @property
    def user(self) -> User:
        """The authenticated user of this socket."""
        return self._user

    @property
    def closing(self) -> bool:
        """True once a close has started or the peer is gone; frames from then on are neither sent nor applied."""
        return self.state is not State.OPEN

    @property
    def writer(self) -> FrameWriter:
        """This socket's writer (for tests and diagnostics)."""
        return self._writer

    def send(self, frame: Frame) -> None:
        """Send one encoded text frame; a client too far behind is closed with 1013 instead of buffered."""
        if self.state is not State.OPEN:
            return
        if self._writer.write(frame) is Sent.TOO_SLOW:
            log.warning("user %s is too slow (%d frames queued); closing with 1013", self._user.id, self._writer.queued)
            self.close_soon(const.CLOSE_TRY_AGAIN_LATER, const.REASON_TOO_SLOW, flush=False)

    def check_alive(self) -> None:
        """One heartbeat sweep: ping a socket silent since the last one, drop one silent since its ping."""
        if self.state is not State.OPEN:
            return
        beat = self.liveness.sweep()
        if beat is Beat.PING:
            self._ping_task = asyncio.create_task(self.ws.ping(), name=f"ws-ping-user-{self._user.id}")
            self._ping_task.add_done_callback(_log_ping_failure)
        elif beat is Beat.DROP:
            # Like aiohttp's own heartbeat: no close handshake with a peer that is gone (the local code is
            # 1006); the receive loop then sees the socket closed and the user leaves the room.
            log.info("user %s answered no ping; dropping the connection", self._user.id)
            self._gone()
            if isinstance(self._transport, asyncio.WriteTransport):
                self._transport.abort()

    def _gone(self) -> None:
        """The peer is gone or a write failed: nothing more is sent."""
        self.state = State.GONE
        self._writer.discard()

    def close_soon(self, code: int, reason: str, flush: bool = True) -> None:
        """Start closing without waiting (safe from synchronous code); only the first close counts."""
        if self.state is State.OPEN:
            self.state = State.CLOSING
        if self._closer is None:
            self._closer = asyncio.create_task(self._close(code, reason, flush), name=f"ws-close-{code}")

    async def close(self, code: int, reason: str, flush: bool = True) -> None:
        """Close (or join a close already started) and wait until it is done."""
        self.close_soon(code, reason, flush)
        await self.wait_closed()

    async def wait_closed(self) -> None:
        """Wait for a started close to finish."""
        if self._closer is not None:
            # Shielded: a cancelled waiter (e.g. server shutdown) must not cut the close frame in half.
            await asyncio.shield(self._closer)

    async def _close(self, code: int, reason: str, flush: bool) -> None:
        await self._writer.stop(self._limits.flush_timeout if flush else None)
        message = reason.encode()[:_MAX_REASON_BYTES]
        try:
            async with asyncio.timeout(self._limits.close_timeout * 2):
                await self.ws.close(code=code, message=message, drain=flush)
        except (TimeoutError, ConnectionError) as exc:
            log.debug("close %d of user %s ended with %r", code, self._user.id, exc)
        self.state = State.GONE
        transport = self._transport
        if isinstance(transport, asyncio.WriteTransport) and transport.get_write_buffer_size() > 0:
            # A client that stopped reading may never take our buffered bytes, whatever closed the socket
            # (too slow, a missed heartbeat, shutdown): drop them after a grace period.
            asyncio.get_running_loop().call_later(self._limits.close_timeout, _abort_if_stuck, transport)


def _log_ping_failure(task: asyncio.Task[None]) -> None:
    """A ping to a closing socket fails harmlessly: the next sweep or the receive loop ends it."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("ping failed: %r", task.exception())


def _abort_if_stuck(transport: asyncio.BaseTransport) -> None:
    """Abort a closed transport that still holds unsent bytes."""
    if isinstance(transport, asyncio.WriteTransport):
        with contextlib.suppress(Exception):
            if transport.get_write_buffer_size() > 0:
                transport.abort()
