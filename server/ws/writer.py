"""Writing one socket's text frames in order: at once when that cannot block, else through a bounded queue.

Why two paths: waking a writer task for each frame of each member cost about a fifth of the
server's CPU per CODE_EDITOR_UPDATE (bench/README.md). With nothing queued (so order is kept), an
empty transport buffer and a frame below the transport's high-water mark, the frame's prebuilt
bytes (ws/framing.py, built once per broadcast) are handed to `transport.write` at once: that never
blocks, and it cannot pause the transport. Everything else takes the queue, drained by one task
through aiohttp's `WebSocketResponse.send_frame`, which waits for a paused transport; a client past
the queue's bounds is too slow.

Only public aiohttp API is used: the request's transport, `WebSocketResponse.closed` (set before
aiohttp writes a close frame, so no data frame ever follows one) and `send_frame`.
tests/test_ws_writer.py runs both paths over a real socket, including a transport paused by a
client that stops reading, and tests/test_ws_framing.py reads our frames back with aiohttp.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import WSMsgType, web

from .framing import Frame

log = logging.getLogger(__name__)


class Sent(enum.Enum):
    """What write() did with a frame."""

    WRITTEN = "written"  # handed to the transport now
    QUEUED = "queued"  # queued for the writer task
    TOO_SLOW = "too slow"  # the queue is past its bounds: the frame was not taken
    CLOSED = "closed"  # the writer is stopped or the peer is gone: the frame was dropped


@dataclass(slots=True)
class WriterStats:
    """Counts for tests and diagnostics."""

    direct: int = 0  # frames written without the writer task
    queued: int = 0  # frames that went through the queue
    from_queue: int = 0  # queued frames the writer task wrote
    dropped: int = 0  # frames never written: refused (closed, too slow) or discarded from the queue


class FrameWriter:
    """One socket's outbound frames; only this object ever writes to its socket."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.BaseTransport | None,
        max_messages: int,
        max_bytes: int,
        on_broken: Callable[[], None],
        name: str = "ws-writer",
    ) -> None:
        self._ws = ws
        # Where frames may be written without the writer task; None turns the direct path off.
        self._direct = transport if isinstance(transport, asyncio.WriteTransport) else None
        # Frames at least this long always take the queue: written at once they could pause the transport.
        self._direct_max = self._direct.get_write_buffer_limits()[1] if self._direct is not None else 0
        self._max_messages = max_messages
        self._max_bytes = max_bytes
        self._on_broken = on_broken  # the peer is gone or a write failed: the connection stops using us
        self._queue: deque[bytes] = deque()  # payloads, framed by aiohttp when written
        self._queued_bytes = 0
        self._name = name
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self.stats = WriterStats()

    @property
    def queued(self) -> int:
        """Frames waiting for the writer task."""
        return len(self._queue)

    def write(self, frame: Frame) -> Sent:
        """Write or queue one text frame; never blocks.

        An empty queue always takes a frame, so one large ROOM_STATE never counts as falling behind.
        """
        if self._stopped:
            self.stats.dropped += 1
            return Sent.CLOSED
        direct = self._direct
        if (
            direct is not None
            and not self._queue
            and not direct.get_write_buffer_size()
            and len(frame.wire) < self._direct_max
        ):
            if self._ws.closed or direct.is_closing():  # a close frame went out, or the peer is gone
                self._broken()
                return Sent.CLOSED
            direct.write(frame.wire)
            self.stats.direct += 1
            return Sent.WRITTEN
        payload = frame.payload
        if self._queue and (
            len(self._queue) >= self._max_messages or self._queued_bytes + len(payload) > self._max_bytes
        ):
            self.stats.dropped += 1
            return Sent.TOO_SLOW
        self._queue.append(payload)
        self._queued_bytes += len(payload)
        self.stats.queued += 1
        if self._task is None:  # a task only while there is a backlog: an idle socket holds none
            self._task = asyncio.get_running_loop().create_task(self._drain_queue(), name=self._name)
        return Sent.QUEUED

    def _broken(self) -> None:
        self.discard()
        self._on_broken()

    def discard(self) -> None:
        """Stop taking frames and drop what is queued (the socket is gone or closing without a flush)."""
        self._stopped = True
        self.stats.dropped += len(self._queue)
        self._queue.clear()
        self._queued_bytes = 0  # a running task finds nothing more to write and ends

    async def stop(self, flush_timeout: float | None) -> None:
        """Stop taking frames; with a timeout, give queued frames that long to go out, then end the task."""
        self._stopped = True
        task = self._task
        if task is None or task.done():
            return
        if flush_timeout is not None:
            await asyncio.wait({task}, timeout=flush_timeout)
        if not task.done():
            # Frames are written whole and uncompressed, so cancelling between or inside drains is safe.
            task.cancel()
            await asyncio.wait({task})
        self.discard()  # frames the flush did not get out count as dropped

    async def _drain_queue(self) -> None:
        """Write the backlog through aiohttp (which waits for a paused transport), then end.

        The check for an empty queue and the end of the task happen with no await in between, so a
        frame queued by write() is always either taken by this task or starts a new one.
        """
        ws = self._ws
        try:
            while self._queue:
                frame = self._queue.popleft()
                self._queued_bytes -= len(frame)
                await ws.send_frame(frame, WSMsgType.TEXT)
                self.stats.from_queue += 1
        except ConnectionError:  # the peer is gone; the receive loop sees that and ends
            self._broken()
        except Exception:
            log.exception("the writer task failed")
            self._broken()
        finally:
            self._task = None
