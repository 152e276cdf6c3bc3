"""The frame writer against aiohttp itself: the direct path, and a paused transport forcing the deferred one.

server/ws/writer.py drives aiohttp's `send_frame` coroutine by hand. It counts on an uncompressed frame
being written synchronously, with the coroutine suspending only in the drain after the transport
paused. This test runs both paths over a real socket, so an aiohttp release that behaves otherwise
fails here (setup.cfg pins `aiohttp<3.15`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient

from server.ws.writer import FrameWriter, Sent

ClientFactory = Callable[..., Awaitable[TestClient]]
FRAME = 60_000
# Over the output a WebSocketResponse writes between flow-control checks (aiohttp's writer limit, 256 KiB in
# 3.14), so every BIG send checks whether the transport paused and, if it did, waits in its drain.
BIG = 300_000


class Probe:
    """The server side of one socket, with its writer."""

    def __init__(self) -> None:
        self.writer: FrameWriter | None = None
        self.transport: asyncio.WriteTransport | None = None
        self.ready = asyncio.Event()
        self.done = asyncio.Event()
        self.broken = False

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False, autoping=True)
        await ws.prepare(request)
        assert isinstance(request.transport, asyncio.WriteTransport)
        self.transport = request.transport
        # A high-water mark above BIG lets BIG frames take the direct path (the writer reads it once, here).
        request.transport.set_write_buffer_limits(high=4 * BIG)
        self.writer = FrameWriter(ws, request.transport, 100_000, 1 << 30, on_broken=self._broken)
        self.writer.start("test-writer")
        self.ready.set()
        await self.done.wait()
        await self.writer.stop(flush_timeout=10)
        await ws.close()
        return ws

    def _broken(self) -> None:
        self.broken = True


async def serve(aiohttp_client: ClientFactory) -> tuple[Probe, TestClient]:
    probe = Probe()
    app = web.Application()
    app.router.add_get("/ws", probe.handler)
    return probe, await aiohttp_client(app)


def frames(count: int, size: int = FRAME) -> list[bytes]:
    """Distinct frames of `size` bytes, numbered so order can be checked."""
    return [f"{i:08d}".encode() + b"x" * (size - 8) for i in range(count)]


async def read_all(ws: object, count: int) -> list[bytes]:
    got = []
    for _ in range(count):
        msg = await ws.receive(timeout=30)  # type: ignore[attr-defined]
        assert msg.type is WSMsgType.TEXT, msg
        got.append(msg.data.encode())
    return got


async def test_frames_to_a_reading_client_are_written_directly(aiohttp_client: ClientFactory) -> None:
    probe, client = await serve(aiohttp_client)
    ws = await client.ws_connect("/ws")
    await probe.ready.wait()
    assert probe.writer is not None
    sent = frames(40)
    for frame in sent:
        assert probe.writer.write(frame) in (Sent.WRITTEN, Sent.QUEUED)
        await asyncio.sleep(0)  # the client reads as we go: the buffer empties, the direct path stays open
    assert await read_all(ws, len(sent)) == sent
    assert probe.writer.stats.direct > 0 and probe.writer.stats.deferred == 0
    probe.done.set()
    await ws.close()


async def test_a_paused_transport_defers_the_direct_write_and_keeps_the_order(aiohttp_client: ClientFactory) -> None:
    """A client that stops reading fills the socket; a direct write then pauses the transport mid-send."""
    probe, client = await serve(aiohttp_client)
    ws = await client.ws_connect("/ws")
    await probe.ready.wait()
    writer, transport = probe.writer, probe.transport
    assert writer is not None and transport is not None
    transport.set_write_buffer_limits(high=0)  # from now on any byte left in the buffer pauses the transport
    sent: list[bytes] = []
    for frame in frames(2_000, BIG):  # the client reads nothing yet: the kernel's socket buffer fills up
        assert writer.write(frame) in (Sent.WRITTEN, Sent.QUEUED)
        sent.append(frame)
        if writer.stats.deferred:
            break
    assert writer.stats.deferred == 1, "the kernel never filled: no write had to wait for the transport"
    tail = frames(len(sent) + 5, BIG)[len(sent) :]
    for frame in tail:  # later frames wait behind the deferred one, in the queue
        assert writer.write(frame) is Sent.QUEUED
    sent += tail
    assert await read_all(ws, len(sent)) == sent  # now the client reads: everything, once, in order
    assert writer.stats.queued >= len(tail) and not probe.broken
    probe.done.set()
    await ws.close()


async def test_a_peer_gone_mid_write_marks_the_writer_broken(aiohttp_client: ClientFactory) -> None:
    probe, client = await serve(aiohttp_client)
    ws = await client.ws_connect("/ws")
    await probe.ready.wait()
    assert probe.writer is not None and probe.transport is not None
    probe.transport.abort()
    await asyncio.sleep(0)
    for frame in frames(3):
        probe.writer.write(frame)
    assert probe.broken and probe.writer.write(b"late") is Sent.CLOSED
    probe.done.set()
    await ws.close()
