"""A server's WebSocket text frame built once per broadcast: the JSON payload and its bytes on the wire (RFC 6455).

A server never masks its frames, so the bytes of one message are the same for every member of a
room: framing them once, instead of once per member through aiohttp's writer (a coroutine, a header
pack and a concatenation each), is what lets a broadcast be one `transport.write` per member
(bench/README.md). Plain bytes and struct; tests/test_ws_framing.py reads our frames back with
aiohttp's client.
"""

from __future__ import annotations

import struct

_FIN_TEXT = 0x81  # FIN bit and opcode 1 (text)
_SHORT = struct.Struct("!BB")
_MEDIUM = struct.Struct("!BBH")
_LONG = struct.Struct("!BBQ")


class Frame:
    """One outgoing text message: its UTF-8 JSON payload and the complete frame on the wire."""

    __slots__ = ("payload", "wire")

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.wire = text_header(len(payload)) + payload

    def __len__(self) -> int:
        return len(self.wire)


def text_header(length: int) -> bytes:
    """The header of an unmasked, unfragmented text frame carrying `length` bytes."""
    if length < 126:
        return _SHORT.pack(_FIN_TEXT, length)
    if length < 1 << 16:
        return _MEDIUM.pack(_FIN_TEXT, 126, length)
    return _LONG.pack(_FIN_TEXT, 127, length)
