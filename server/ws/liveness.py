"""Heartbeat state of one socket, judged by a periodic sweep instead of on every received frame."""

from __future__ import annotations

import enum


class Beat(enum.Enum):
    """What one heartbeat sweep decides for a socket."""

    ALIVE = "alive"  # a frame arrived since the last sweep
    PING = "ping"  # silent for a whole sweep period: ask for a pong
    DROP = "drop"  # still silent a whole period after the ping: the peer is gone


class Liveness:
    """`heard` is set for every received frame (pongs included); sweep() reads and clears it.

    aiohttp's own heartbeat re-arms a timer for every chunk it reads, a scheduled callback per
    message that cost 10-13 µs of the server's 80 µs per CODE_EDITOR_UPDATE at saturation
    (bench/README.md). Here a frame costs one attribute store, and one sweep every half
    WS_HEARTBEAT does the rest: a socket silent for a period gets a ping, and one still silent a
    period after that is dropped. So a ping follows 1 to 2 periods of silence and the pong has one.
    """

    __slots__ = ("_pinged", "heard")

    def __init__(self) -> None:
        self.heard = True  # a new socket counts as just heard: the handshake was its first frame
        self._pinged = False

    def sweep(self) -> Beat:
        """Judge the period since the last sweep, and start the next one."""
        if self.heard:
            self.heard = False
            self._pinged = False
            return Beat.ALIVE
        if not self._pinged:
            self._pinged = True
            return Beat.PING
        return Beat.DROP
