"""The real application served on a free port from a background thread, for synchronous HTTP clients."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

from aiohttp import web

from server.app import create_app
from server.config import Config

from .realserver import free_port

T = TypeVar("T")
_START_LIMIT_S = 20.0


class LiveServer:
    """create_app(config) behind a real TCP site in its own thread and event loop (no signal handlers)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.port = free_port()
        self.app: web.Application | None = None
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="live-server", daemon=True)

    @property
    def url(self) -> str:
        """Base HTTP URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the thread and serve; returns once the site listens (and the store is open)."""
        self._thread.start()
        self.run(self._start())

    async def _start(self) -> None:
        self.app = create_app(self.config)
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def run(self, coro: Coroutine[Any, Any, T] | Awaitable[T], timeout: float = _START_LIMIT_S) -> T:
        """Run a coroutine on the server's loop from the test thread and return its result."""

        async def wrap() -> T:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrap(), self._loop).result(timeout)

    def stop(self) -> None:
        """Graceful shutdown (sockets, final snapshot, store), then stop and close the loop."""
        if self._runner is not None:
            self.run(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(_START_LIMIT_S)
        self._loop.close()
