"""The frame writer over a real socket: the direct path, and a transport paused by a client that stops reading.

server/ws/writer.py hands a frame's prebuilt bytes to the transport when nothing is queued and the
transport's buffer is empty, and otherwise queues its payload for aiohttp's `send_frame`, which
waits while the transport is paused. Both paths must deliver every frame once, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient

from server.ws.framing import Frame
from server.ws.writer import FrameWriter, Sent

ClientFactory = Callable[..., Awaitable[TestClient]]
SIZE = 60_000  # below the transport's 64 KiB high-water mark, so a frame may take the direct path


class Probe:
    """The server side of one socket, with its writer."""

    def __init__(self) -> None:
        self.writer: FrameWriter | None = None
        self.transport: asyncio.WriteTransport | None = None
        self.ws: web.WebSocketResponse | None = None
        self.ready = asyncio.Event()
        self.done = asyncio.Event()
        self.broken = False

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False, autoping=True)
        await ws.prepare(request)
        assert isinstance(request.transport, asyncio.WriteTransport)
        self.transport, self.ws = request.transport, ws
        self.writer = FrameWriter(ws, request.transport, 100_000, 1 << 30, on_broken=self._broken, name="test")
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


def frames(count: int, start: int = 0) -> list[Frame]:
    """Distinct frames of SIZE bytes, numbered so order can be checked."""
    return [Frame(f"{i:08d}".encode() + b"x" * (SIZE - 8)) for i in range(start, start + count)]


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
    assert await read_all(ws, len(sent)) == [f.payload for f in sent]
    assert probe.writer.stats.direct > 0
    probe.done.set()
    await ws.close()


async def test_a_paused_transport_sends_through_the_queue_in_order(aiohttp_client: ClientFactory) -> None:
    """A client that stops reading fills the socket and pauses the transport; frames wait, in order, for it."""
    probe, client = await serve(aiohttp_client)
    ws = await client.ws_connect("/ws")
    await probe.ready.wait()
    writer, transport = probe.writer, probe.transport
    assert writer is not None and transport is not None
    sent: list[Frame] = []
    for frame in frames(2_000):  # the client reads nothing yet: the kernel's socket buffer fills up
        sent.append(frame)
        if writer.write(frame) is Sent.QUEUED:
            break
    assert writer.stats.queued == 1, "the kernel never filled: no frame had to wait"
    assert transport.get_write_buffer_size() > 0
    tail = frames(50, len(sent))
    for frame in tail:  # behind the first queued frame every later one waits too, even if the buffer empties
        assert writer.write(frame) is Sent.QUEUED
    sent += tail
    await asyncio.sleep(0.05)  # the writer task meets the paused transport and waits in aiohttp's drain
    assert await read_all(ws, len(sent)) == [f.payload for f in sent]  # now the client reads: all, once, in order
    assert writer.stats.from_queue == writer.stats.queued and not probe.broken
    probe.done.set()
    await ws.close()


async def test_a_peer_gone_or_a_close_sent_stops_direct_writes(aiohttp_client: ClientFactory) -> None:
    probe, client = await serve(aiohttp_client)
    ws = await client.ws_connect("/ws")
    await probe.ready.wait()
    assert probe.writer is not None and probe.transport is not None
    probe.transport.abort()
    await asyncio.sleep(0)
    assert probe.writer.write(frames(1)[0]) is Sent.CLOSED and probe.broken
    assert probe.writer.write(frames(1)[0]) is Sent.CLOSED
    probe.done.set()
    await ws.close()


async def test_frames_a_stop_could_not_flush_are_counted_as_dropped(aiohttp_client: ClientFactory) -> None:
    """A client that never reads: what is still queued when the flush time runs out is lost and counted."""
    probe, client = await serve(aiohttp_client)
    ws = await client.ws_connect("/ws")
    await probe.ready.wait()
    writer = probe.writer
    assert writer is not None
    for frame in frames(2_000):
        if writer.write(frame) is Sent.QUEUED:
            break
    for frame in frames(300, 2_000):
        assert writer.write(frame) is Sent.QUEUED
    await writer.stop(flush_timeout=0.01)
    stats = writer.stats
    # one frame may have been inside aiohttp's send_frame when the flush time ran out: counted as neither
    assert stats.dropped > 0 and stats.queued - 1 <= stats.from_queue + stats.dropped <= stats.queued, stats
    assert writer.write(frames(1)[0]) is Sent.CLOSED
    assert probe.transport is not None
    probe.transport.abort()  # the client reads nothing: no close handshake to wait for
    probe.done.set()
    await ws.close()
