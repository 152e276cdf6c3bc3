"""The WebSocket protocol's own limits: the fixed numbers that are not configuration.

Configured values (capacity, heartbeat, frame and code sizes, auth mode, origins) are read from
server.config.Config, their one source; these are the protocol's constants, kept in a dataclass so
tests can tighten them for one app.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import const


@dataclass(frozen=True, slots=True)
class WsLimits:
    """Rates, queue bounds and timeouts of every connection."""

    rate_per_second: float = const.RATE_PER_SECOND
    rate_burst: int = const.RATE_BURST
    outbound_max_messages: int = const.OUTBOUND_MAX_MESSAGES
    outbound_max_bytes: int = const.OUTBOUND_MAX_BYTES
    close_timeout: float = const.CLOSE_TIMEOUT
    flush_timeout: float = const.FLUSH_TIMEOUT

    @property
    def editor_flush_delay(self) -> float:
        """How long a coalesced CODE_EDITOR_UPDATE waits: one token's worth of the socket's rate, capped.

        The cap keeps the wait short when the rate is set low: the last text of a burst must reach
        teammates within a bounded delay (docs/protocol.md), and a flush applies one update per problem.
        """
        return min(1.0 / self.rate_per_second, const.EDITOR_FLUSH_MAX_DELAY)
