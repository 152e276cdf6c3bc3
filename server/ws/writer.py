"""Writing one socket's text frames in order: at once when that cannot block, else through a bounded queue.

Why two paths: waking a writer task for each frame of each member cost about a fifth of the
server's CPU per CODE_EDITOR_UPDATE (bench/README.md). With nothing queued (so order is kept), an
empty transport buffer and a frame below the transport's high-water mark, writing cannot pause the
transport, so aiohttp's `send_frame` never waits for flow control (its only wait; compression is
off) and runs to its end when driven by hand here. Everything else takes the queue, drained by one
task, with its bounds: a client past them is too slow.

This drives aiohttp's `WebSocketResponse.send_frame` coroutine step by step, which relies on its
behaviour in the aiohttp versions setup.cfg admits (`aiohttp>=3.11,<3.15`): an uncompressed frame
is written synchronously and the coroutine suspends only in the drain after a paused transport.
Should it ever suspend on the direct path, the rest of that send is finished by a task, and the
queue waits for it; tests/test_ws_writer.py forces a paused transport to run both paths, so a
change in aiohttp fails there first.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)


class Sent(enum.Enum):
    """What write() did with a frame."""

    WRITTEN = "written"  # written to the transport now (or finishing in a task, ahead of any queued frame)
    QUEUED = "queued"  # queued for the writer task
    TOO_SLOW = "too slow"  # the queue is past its bounds: the frame was not taken
    CLOSED = "closed"  # the writer is stopped or the peer is gone: the frame was dropped


@dataclass(slots=True)
class WriterStats:
    """Counts for tests and diagnostics."""

    direct: int = 0  # frames written without the writer task
    deferred: int = 0  # direct writes that had to wait for a paused transport and finished in a task
    queued: int = 0  # frames that went through the queue


class FrameWriter:
    """One socket's outbound frames; only this object ever writes to its socket."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.BaseTransport | None,
        max_messages: int,
        max_bytes: int,
        on_broken: Callable[[], None],
    ) -> None:
        self._ws = ws
        # Where frames may be written without the writer task; None turns the direct path off.
        self._direct = transport if isinstance(transport, asyncio.WriteTransport) else None
        # Frames at least this long always take the queue: written at once they could pause the transport.
        self._direct_max = self._direct.get_write_buffer_limits()[1] if self._direct is not None else 0
        self._max_messages = max_messages
        self._max_bytes = max_bytes
        self._on_broken = on_broken  # the peer is gone or a write failed: the connection stops using us
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._ready = asyncio.Event()
        self._unfinished: asyncio.Task[None] | None = None  # a direct write that had to wait
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self.stats = WriterStats()

    @property
    def queued(self) -> int:
        """Frames waiting for the writer task."""
        return len(self._queue)

    def start(self, name: str) -> None:
        """Start the writer task."""
        self._task = asyncio.create_task(self._drain_queue(), name=name)

    def write(self, frame: bytes) -> Sent:
        """Write or queue one encoded text frame; never blocks.

        An empty queue always takes a frame, so one large ROOM_STATE never counts as falling behind.
        """
        if self._stopped:
            return Sent.CLOSED
        if not self._queue and self._direct is not None and self._write_now(self._direct, frame):
            return Sent.WRITTEN
        if self._queue and (
            len(self._queue) >= self._max_messages or self._queued_bytes + len(frame) > self._max_bytes
        ):
            return Sent.TOO_SLOW
        self._queue.append(frame)
        self._queued_bytes += len(frame)
        self.stats.queued += 1
        self._ready.set()
        return Sent.QUEUED

    def _write_now(self, transport: asyncio.WriteTransport, frame: bytes) -> bool:
        """Write a frame without the writer task when that cannot block; False: queue it instead."""
        # A closing transport needs no check here: aiohttp's send raises ConnectionError for it (handled below).
        if self._unfinished is not None or transport.get_write_buffer_size() or len(frame) >= self._direct_max:
            return False
        step = self._ws.send_frame(frame, WSMsgType.TEXT)
        try:
            waiting = step.send(None)
        except StopIteration:
            self.stats.direct += 1
            return True
        except ConnectionError:  # the peer is gone; the receive loop sees that and ends
            self._broken()
            return True
        except Exception:  # one member's broken socket must never break a broadcast to the others
            log.exception("writing a frame failed")
            self._broken()
            return True
        # The transport paused (see the module doc): a task finishes the send as the writer task would,
        # and the writer task, which takes every later frame, waits for it first.
        self.stats.deferred += 1
        self._unfinished = asyncio.get_running_loop().create_task(_finish(step, waiting))
        self._unfinished.add_done_callback(self._unfinished_done)
        self._ready.set()
        return True

    def _unfinished_done(self, task: asyncio.Task[None]) -> None:
        if self._unfinished is task:
            self._unfinished = None
        if not task.cancelled() and task.exception() is not None:
            log.debug("a deferred write failed: %r", task.exception())
            self._broken()

    def _broken(self) -> None:
        self.discard()
        self._on_broken()

    def discard(self) -> None:
        """Stop taking frames and drop what is queued (the socket is gone or closing without a flush)."""
        self._stopped = True
        self._queue.clear()
        self._queued_bytes = 0
        self._ready.set()  # the parked task wakes, finds nothing to write and ends

    async def stop(self, flush_timeout: float | None) -> None:
        """Stop taking frames; with a timeout, give queued frames that long to go out, then end the task."""
        self._stopped = True
        self._ready.set()
        task = self._task
        if task is None or task.done():
            return
        if flush_timeout is not None:
            await asyncio.wait({task}, timeout=flush_timeout)
        if not task.done():
            # Frames are written whole and uncompressed, so cancelling between or inside drains is safe.
            task.cancel()
            await asyncio.wait({task})
        self._queue.clear()
        self._queued_bytes = 0

    async def _drain_queue(self) -> None:
        ws = self._ws
        try:
            while True:
                if not self._queue:
                    if self._stopped:
                        return  # wrote everything queued before the stop
                    self._ready.clear()
                    await self._ready.wait()
                    continue
                if self._unfinished is not None:
                    await asyncio.wait({self._unfinished})
                    continue  # it may have failed, which cleared the queue
                frame = self._queue.popleft()
                self._queued_bytes -= len(frame)
                await ws.send_frame(frame, WSMsgType.TEXT)
        except ConnectionError:  # the peer is gone; the receive loop sees that and ends
            self._broken()
        except Exception:
            log.exception("the writer task failed")
            self._broken()


async def _finish(step: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Run a coroutine that was started by hand and suspended on a future to its end, as a task would."""
    while True:
        await asyncio.wait({waiting})
        try:
            waiting = step.send(None)
        except StopIteration:
            return
