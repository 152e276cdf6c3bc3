"""Our prebuilt text frames (RFC 6455, unmasked) read back by aiohttp's client at every length encoding."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient

from server.ws.framing import Frame, text_header

ClientFactory = Callable[..., Awaitable[TestClient]]
LENGTHS = [0, 1, 125, 126, 127, 65_535, 65_536, 300_000]


def test_header_length_encodings() -> None:
    assert text_header(0) == b"\x81\x00" and text_header(125) == b"\x81\x7d"
    assert text_header(126) == b"\x81\x7e\x00\x7e" and text_header(65_535) == b"\x81\x7e\xff\xff"
    assert text_header(65_536) == b"\x81\x7f" + (65_536).to_bytes(8, "big")
    frame = Frame(b'{"a":1}')
    assert frame.wire == b"\x81\x07" + frame.payload and len(frame) == 9


async def test_aiohttp_reads_every_length(aiohttp_client: ClientFactory) -> None:
    payloads = [("é" * (n // 2) + "x" * (n % 2)).encode() for n in LENGTHS]
    assert [len(p) for p in payloads] == LENGTHS

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        assert isinstance(request.transport, asyncio.WriteTransport)
        for payload in payloads:
            request.transport.write(Frame(payload).wire)
        await ws.send_str("end")  # aiohttp's own frame after ours: they interleave cleanly
        await ws.receive()
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    client = await aiohttp_client(app)
    ws = await client.ws_connect("/ws", max_msg_size=0)
    for payload in payloads:
        msg = await ws.receive(timeout=10)
        assert msg.type is WSMsgType.TEXT and msg.data.encode() == payload
    assert (await ws.receive(timeout=10)).data == "end"
    await ws.close()


@pytest.mark.parametrize("length", LENGTHS)
def test_the_wire_is_header_then_payload(length: int) -> None:
    frame = Frame(b"x" * length)
    assert frame.wire.endswith(frame.payload) and frame.wire.startswith(text_header(length))
