"""Bounded connections against strangers: a cap below the descriptor limit and deadlines for heads and bodies.

A connection that sends half a request head and waits (slowloris) costs a descriptor for as long as
it likes; 1,100 of them at a 1,024-descriptor limit stopped health checks, REST and WebSockets alike.
So every connection is admitted by a ConnectionGuard:

- at most `cap` are open; when full, the connection that has waited longest without starting a request
  is dropped for the newcomer (half-open ones first, then idle keep-alive ones), so strangers holding
  connections can never lock out a real client; busy ones (a request or a WebSocket under way) stay;
- a connection must complete its first request head within HTTP_HEADER_TIMEOUT (aiohttp's keep-alive
  timer, set to the same value, bounds the heads of later requests on it);
- a request body must arrive in full within HTTP_BODY_TIMEOUT of its head (connection_middleware);
  a view marked @large_body (an upload, checked for its sender before it reads) gets more time in
  proportion to the declared length, at MIN_BODY_RATE.

The guard sits between the event loop and aiohttp's protocol as a thin wrapper that forwards the data
callbacks by binding them directly (no extra call per read on the WebSocket hot path). Only
connection_made/connection_lost pass through it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler

from .quietlog import QuietLog

log = logging.getLogger(__name__)

MIN_BODY_RATE = 64 * 1024  # bytes per second a large upload must average (a 256 MiB package: about 70 min)
F = TypeVar("F", bound=Callable[..., Any])


def large_body(view: F) -> F:
    """Mark a view that reads a large body: its deadline is HTTP_BODY_TIMEOUT plus Content-Length / MIN_BODY_RATE."""
    view.large_body = True  # type: ignore[attr-defined]
    return view


@dataclass(slots=True)
class GuardStats:
    """What the guard did, for /metrics and tests."""

    accepted: int = 0
    refused: int = 0  # the cap was reached and nothing could make room
    evicted: int = 0  # dropped to make room for a newcomer
    head_timeouts: int = 0  # the first request head did not arrive in time
    body_timeouts: int = 0  # a request body did not arrive in time


class GuardedProtocol(asyncio.Protocol):
    """aiohttp's protocol for one connection, admitted (or refused) by the guard."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self.guard = guard
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.admitted = False
        self.active = 0  # requests under way (a WebSocket is one until it closes)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Admit the connection (then hand it to aiohttp) or drop it at once."""
        assert isinstance(transport, asyncio.Transport)  # a TCP server's transport
        self.transport = transport
        if not self.guard.admit(self):
            transport.abort()
            return
        self.admitted = True
        inner = self.inner
        # From here on the transport calls aiohttp's protocol directly: these attributes shadow the methods below.
        self.data_received = inner.data_received  # type: ignore[method-assign]
        self.eof_received = inner.eof_received  # type: ignore[method-assign]
        self.pause_writing = inner.pause_writing  # type: ignore[method-assign]
        self.resume_writing = inner.resume_writing  # type: ignore[method-assign]
        inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        """Bytes of a refused connection, if any arrive before the abort: ignored."""

    def eof_received(self) -> bool | None:
        """The end of a refused connection: close it."""
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        """The connection ended: it no longer counts, and aiohttp cleans up its side."""
        if self.admitted:
            self.guard.forget(self)
            self.inner.connection_lost(exc)

    def abort(self) -> None:
        """Drop the connection at once (RST); aiohttp learns of it through connection_lost."""
        if self.transport is not None:
            self.transport.abort()


class ConnectionGuard:
    """Admits connections up to a cap and enforces the head deadline; see the module docstring."""

    def __init__(self, cap: int, header_timeout: float) -> None:
        self.cap = cap
        self.header_timeout = header_timeout
        self.stats = GuardStats()
        self._fresh: dict[GuardedProtocol, asyncio.TimerHandle] = {}  # no request yet, oldest first
        self._idle: dict[GuardedProtocol, None] = {}  # served, nothing under way, longest idle first
        self._by_inner: dict[object, GuardedProtocol] = {}
        self._quiet = QuietLog(log)

    @property
    def open(self) -> int:
        """Connections admitted and not yet closed."""
        return len(self._by_inner)

    def wrap(self, factory: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """A protocol factory for loop.create_server: aiohttp's, behind the guard."""
        return lambda: GuardedProtocol(self, factory())

    def admit(self, conn: GuardedProtocol) -> bool:
        """Take a new connection, making room if needed; False: refuse it."""
        if self.open >= self.cap and not self._evict_one():
            self.stats.refused += 1
            self._quiet.warning("refused", "connection limit %d reached: new connections refused", self.cap)
            return False
        self.stats.accepted += 1
        self._by_inner[conn.inner] = conn
        loop = asyncio.get_running_loop()
        self._fresh[conn] = loop.call_later(self.header_timeout, self._head_overdue, conn)
        return True

    def _evict_one(self) -> bool:
        for pool in (self._fresh, self._idle):
            for conn in pool:
                self.stats.evicted += 1
                self._quiet.warning(
                    "evicted", "connection limit %d reached: the longest-waiting idle connections are dropped", self.cap
                )
                self._drop(conn)
                return True
        return False

    def _head_overdue(self, conn: GuardedProtocol) -> None:
        if conn in self._fresh:
            self.stats.head_timeouts += 1
            self._drop(conn)

    def _drop(self, conn: GuardedProtocol) -> None:
        self.forget(conn)
        conn.abort()

    def forget(self, conn: GuardedProtocol) -> None:
        """A connection ended (or was dropped): it counts no more."""
        if self._by_inner.pop(conn.inner, None) is None:
            return
        handle = self._fresh.pop(conn, None)
        if handle is not None:
            handle.cancel()
        self._idle.pop(conn, None)

    def started(self, protocol: object) -> None:
        """A request head arrived on aiohttp's protocol: the connection is busy (never evicted) until finished()."""
        conn = self._by_inner.get(protocol)
        if conn is None:  # a test server without the guard, or a connection already dropped
            return
        handle = self._fresh.pop(conn, None)
        if handle is not None:
            handle.cancel()
        self._idle.pop(conn, None)
        conn.active += 1

    def finished(self, protocol: object) -> None:
        """The request's handler returned."""
        conn = self._by_inner.get(protocol)
        if conn is None:
            return
        conn.active -= 1
        if conn.active == 0:
            self._idle[conn] = None


def connection_middleware(guard: ConnectionGuard, body_timeout: float) -> Callable[..., object]:
    """Outermost middleware: marks the connection busy while a handler runs and bounds the time to read the body."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        protocol = request.protocol
        guard.started(protocol)
        timer = None
        if request.body_exists and not request.content.is_eof():
            limit = body_timeout
            if getattr(request.match_info.handler, "large_body", False) and request.content_length:
                limit += request.content_length / MIN_BODY_RATE
            timer = asyncio.get_running_loop().call_later(limit, _body_overdue, request, guard)
        try:
            return await handler(request)
        finally:
            if timer is not None:
                timer.cancel()
            guard.finished(protocol)

    return middleware


def _body_overdue(request: web.Request, guard: ConnectionGuard) -> None:
    """The body is still not in after HTTP_BODY_TIMEOUT: cut the connection (its handler sees a reset)."""
    if request.content.is_eof():
        return
    guard.stats.body_timeouts += 1
    transport = request.transport
    if transport is not None:
        transport.abort()
