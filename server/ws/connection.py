"""One accepted socket: its user, a bounded outbound queue drained by one writer task, one close."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Coroutine
from typing import Any

from aiohttp import WSMsgType, web

from ..store.users import User
from . import const
from .liveness import Liveness, Verdict
from .ratelimit import TokenBucket
from .settings import WsSettings

log = logging.getLogger(__name__)

_MAX_REASON_BYTES = 123  # RFC 6455: a close frame's reason fits in 123 bytes


class Connection:
    """Rooms call send(); only the writer task writes and only the handler task receives."""

    def __init__(
        self, ws: web.WebSocketResponse, user: User, settings: WsSettings, transport: asyncio.BaseTransport | None
    ) -> None:
        self.ws = ws
        self._user = user
        self._settings = settings
        self._transport = transport
        # Where frames may be written without the writer task (see _write_now); None turns that off.
        self._direct = transport if isinstance(transport, asyncio.WriteTransport) else None
        # Frames at least this long always take the queue: written at once they could pause the transport.
        self._direct_max = self._direct.get_write_buffer_limits()[1] if self._direct is not None else 0
        self._unfinished: asyncio.Task[None] | None = None  # a direct write that had to wait (never seen)
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._ready = asyncio.Event()
        self._accepting = True
        self._writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self.bucket = TokenBucket(settings.rate_per_second, settings.rate_burst)
        self.liveness = Liveness()  # the receive loop marks every frame; WsHub's heartbeat sweep judges it
        self._ping_task: asyncio.Task[None] | None = None

    @property
    def user(self) -> User:
        """The authenticated user of this socket."""
        return self._user

    @property
    def closing(self) -> bool:
        """True once a close has started (or the peer is gone); sends are dropped from then on."""
        return not self._accepting

    @property
    def queued(self) -> int:
        """Frames waiting for the writer (for tests and diagnostics)."""
        return len(self._queue)

    def start(self) -> None:
        """Start the writer task."""
        self._writer = asyncio.create_task(self._write_loop(), name=f"ws-writer-user-{self._user.id}")

    def send(self, frame: bytes) -> None:
        """Queue one encoded text frame; a client too far behind is closed with 1013 instead of buffered."""
        if not self._accepting:
            return
        if not self._queue and self._direct is not None and self._write_now(self._direct, frame):
            return
        settings = self._settings
        # An empty queue always takes the frame, so one large ROOM_STATE never counts as falling behind.
        if self._queue and (
            len(self._queue) >= settings.outbound_max_messages
            or self._queued_bytes + len(frame) > settings.outbound_max_bytes
        ):
            log.warning("user %s is too slow (%d frames queued); closing with 1013", self._user.id, len(self._queue))
            self.close_soon(const.CLOSE_TRY_AGAIN_LATER, const.REASON_TOO_SLOW, flush=False)
            return
        self._queue.append(frame)
        self._queued_bytes += len(frame)
        self._ready.set()

    def check_alive(self) -> None:
        """One heartbeat sweep: ping a socket silent since the last one, drop one silent since its ping."""
        if not self._accepting:
            return
        verdict = self.liveness.sweep()
        if verdict is Verdict.PING:
            self._ping_task = asyncio.create_task(self.ws.ping(), name=f"ws-ping-user-{self._user.id}")
            self._ping_task.add_done_callback(_log_ping_failure)
        elif verdict is Verdict.DROP:
            # Like aiohttp's own heartbeat: no close handshake with a peer that is gone (the local code is
            # 1006); the receive loop then sees the socket closed and the user leaves the room.
            log.info("user %s answered no ping; dropping the connection", self._user.id)
            self._stop_accepting()
            if isinstance(self._transport, asyncio.WriteTransport):
                self._transport.abort()

    def _write_now(self, transport: asyncio.WriteTransport, frame: bytes) -> bool:
        """Write a frame here, without the writer task, when that cannot block; False: queue it instead.

        Waking the writer task for each frame of each member cost about a fifth of the server's CPU
        per CODE_EDITOR_UPDATE (bench/README.md). With nothing queued (so order is kept), an empty
        transport buffer and a frame below its high-water mark, writing the frame cannot pause the
        transport, so aiohttp's send never waits for flow control (its only wait; compression is
        off) and runs to its end right here. A client that stops reading leaves bytes in the
        buffer, and from then on its frames take the queue, with its limits and the 1013.
        """
        # A closing transport needs no check here: aiohttp's send raises ConnectionError for it (handled below).
        if self._unfinished is not None or transport.get_write_buffer_size():
            return False
        if len(frame) >= self._direct_max:
            return False
        step = self.ws.send_frame(frame, WSMsgType.TEXT)
        try:
            waiting = step.send(None)
        except StopIteration:
            return True
        except ConnectionError:  # the peer is gone; the handler's receive() sees that and ends
            self._stop_accepting()
            return True
        except Exception:  # one member's broken socket must never break a broadcast to the others
            log.exception("writing to user %s failed", self._user.id)
            self._stop_accepting()
            return True
        # Not expected (see above); should aiohttp ever wait here, a task finishes the send as the writer
        # would, and the writer, which takes every later frame, waits for it first.
        self._unfinished = asyncio.get_running_loop().create_task(_finish(step, waiting))
        self._unfinished.add_done_callback(self._unfinished_done)
        self._ready.set()
        return True

    def _unfinished_done(self, task: asyncio.Task[None]) -> None:
        """The waiting direct write ended: later frames may be written directly again."""
        if self._unfinished is task:
            self._unfinished = None
        if not task.cancelled() and task.exception() is not None:
            log.debug("direct write to user %s failed: %r", self._user.id, task.exception())
            self._stop_accepting()

    def _stop_accepting(self) -> None:
        self._accepting = False
        self._queue.clear()
        self._queued_bytes = 0
        self._ready.set()  # the parked writer wakes, finds nothing to flush and ends

    def close_soon(self, code: int, reason: str, flush: bool = True) -> None:
        """Start closing without waiting (safe from synchronous code); only the first close counts."""
        self._accepting = False
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

    async def _write_loop(self) -> None:
        ws = self.ws
        try:
            while True:
                if not self._queue:
                    if not self._accepting:
                        return  # flushed everything queued before the close
                    self._ready.clear()
                    await self._ready.wait()
                    continue
                if self._unfinished is not None:
                    await self._unfinished
                frame = self._queue.popleft()
                self._queued_bytes -= len(frame)
                await ws.send_frame(frame, WSMsgType.TEXT)
        except ConnectionError:  # the peer is gone; the handler's receive() sees that and ends
            self._accepting = False
            self._queue.clear()
        except Exception:
            log.exception("writer of user %s failed", self._user.id)
            self._accepting = False
            self._queue.clear()

    async def _stop_writer(self, flush: bool) -> None:
        writer = self._writer
        if writer is None or writer.done():
            return
        if flush:
            await asyncio.wait({writer}, timeout=self._settings.flush_timeout)
        if not writer.done():
            # Frames are written whole and uncompressed, so cancelling between or inside drains is safe.
            writer.cancel()
            await asyncio.wait({writer})

    async def _close(self, code: int, reason: str, flush: bool) -> None:
        self._ready.set()  # wake the writer so it can finish (flush) or notice the close
        await self._stop_writer(flush)
        self._queue.clear()
        self._queued_bytes = 0
        message = reason.encode()[:_MAX_REASON_BYTES]
        try:
            async with asyncio.timeout(self._settings.close_timeout * 2):
                await self.ws.close(code=code, message=message, drain=flush)
        except (TimeoutError, ConnectionError) as exc:
            log.debug("close %d of user %s ended with %r", code, self._user.id, exc)
        transport = self._transport
        if isinstance(transport, asyncio.WriteTransport) and transport.get_write_buffer_size() > 0:
            # A client that stopped reading may never take our buffered bytes, whatever closed the socket
            # (too slow, a missed heartbeat, shutdown): drop them after a grace period.
            asyncio.get_running_loop().call_later(self._settings.close_timeout, _abort_if_stuck, transport)


async def _finish(step: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Run a coroutine that was started by hand and suspended on a future to its end, as a task would."""
    while True:
        await asyncio.wait({waiting})
        try:
            waiting = step.send(None)
        except StopIteration:
            return


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
