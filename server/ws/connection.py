"""One accepted socket: its user, a bounded outbound queue drained by one writer task, one close."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque

from aiohttp import web

from ..store.users import User
from . import const
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
        self._queue: deque[str] = deque()
        self._queued_chars = 0
        self._ready = asyncio.Event()
        self._accepting = True
        self._writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self.bucket = TokenBucket(settings.rate_per_second, settings.rate_burst)

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

    def send(self, text: str) -> None:
        """Queue one encoded frame; a client too far behind is closed with 1013 instead of buffered."""
        if not self._accepting:
            return
        if not self._queue and self._write_now(text):
            return
        settings = self._settings
        # An empty queue always takes the frame, so one large ROOM_STATE never counts as falling behind.
        if self._queue and (
            len(self._queue) >= settings.outbound_max_messages
            or self._queued_chars + len(text) > settings.outbound_max_bytes
        ):
            log.warning("user %s is too slow (%d frames queued); closing with 1013", self._user.id, len(self._queue))
            self.close_soon(const.CLOSE_TRY_AGAIN_LATER, const.REASON_TOO_SLOW, flush=False)
            return
        self._queue.append(text)
        self._queued_chars += len(text)
        self._ready.set()

    def _write_now(self, text: str) -> bool:
        """Write a frame here when nothing waits before it and the socket takes it at once; False: queue it.

        Waking the writer task for every frame of every member cost about a fifth of the server's CPU
        per CODE_EDITOR_UPDATE (bench/README.md). With the queue empty (so order is kept) and the
        transport's buffer empty, send_str cannot suspend: its only await is flow control, which
        waits only while the buffer is above its high-water mark (compression is off). So the
        coroutine is run to its end right here; a client that stops reading fills the buffer, and
        from then on its frames take the queue, with its limits and the 1013, as before.
        """
        transport = self._transport
        if transport is None or transport.is_closing() or transport.get_write_buffer_size():
            return False
        step = self.ws.send_str(text)
        try:
            step.send(None)
        except StopIteration:
            return True
        except ConnectionError:  # the peer is gone; the handler's receive() sees that and ends
            self._stop_accepting()
            return True
        except Exception:  # never let one member's socket break a broadcast to the others
            log.exception("direct write to user %s failed", self._user.id)
            self._stop_accepting()
            return True
        # Unreachable with an empty buffer; were it reached, the frame is already written (flow control
        # waits after the write), so dropping the coroutine skips only that wait.
        step.close()
        return True

    def _stop_accepting(self) -> None:
        self._accepting = False
        self._queue.clear()
        self._queued_chars = 0
        self._ready.set()  # the parked writer wakes, sees nothing to flush and ends

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
                text = self._queue.popleft()
                self._queued_chars -= len(text)
                await ws.send_str(text)
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
        self._queued_chars = 0
        message = reason.encode()[:_MAX_REASON_BYTES]
        try:
            async with asyncio.timeout(self._settings.close_timeout * 2):
                await self.ws.close(code=code, message=message, drain=flush)
        except (TimeoutError, ConnectionError) as exc:
            log.debug("close %d of user %s ended with %r", code, self._user.id, exc)
        if not flush and self._transport is not None:
            # A client that stopped reading may never take our buffered bytes: drop them after a grace period.
            asyncio.get_running_loop().call_later(self._settings.close_timeout, _abort_if_stuck, self._transport)


def _abort_if_stuck(transport: asyncio.BaseTransport) -> None:
    """Abort a closed transport that still holds unsent bytes."""
    if isinstance(transport, asyncio.WriteTransport):
        with contextlib.suppress(Exception):
            if transport.get_write_buffer_size() > 0:
                transport.abort()
