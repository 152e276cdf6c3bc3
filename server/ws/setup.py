"""The one integration entry point: setup_ws(app) adds the sockets, the room registry and their lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator

from aiohttp import web

from ..keys import CONFIG, EVENTS, ROOMS, STORE, WS_HUB
from ..rooms.registry import RoomRegistry
from ..rooms.snapshots import Snapshotter
from .dispatcher import Dispatcher
from .events import deliver
from .handlers import DEFAULT_HANDLERS
from .hub import WsHub
from .settings import WsSettings
from .views import lobby_socket, training_socket


def setup_ws(app: web.Application) -> None:
    """Add `/ws/lobby`, `/ws/training`, `app[ROOMS]`, snapshots, the heartbeat and the 1001 close at shutdown.

    Call after app[CONFIG], app[EVENTS] and app[CONTESTS] are set and after the cleanup context
    that opens app[STORE] is appended (ours runs after it and is torn down before it).
    """
    registry = RoomRegistry()
    app[ROOMS] = registry
    app[WS_HUB] = WsHub(WsSettings.from_config(app[CONFIG]), registry, Dispatcher(DEFAULT_HANDLERS))
    app.router.add_get("/ws/lobby", lobby_socket, allow_head=False)
    app.router.add_get("/ws/training", training_socket, allow_head=False)
    app.cleanup_ctx.append(_rooms_ctx)
    app.cleanup_ctx.append(_heartbeat_ctx)
    app.on_shutdown.append(_close_sockets)


async def _rooms_ctx(app: web.Application) -> AsyncIterator[None]:
    """Restore snapshots and start writing them; on exit stop and write the final snapshot."""
    hub = app[WS_HUB]
    store = app[STORE]
    registry = hub.registry
    if registry.problem_states is None:
        registry.problem_states = store.problem_states.of_session
    snapshots = Snapshotter(registry, store.snapshots, hub.settings.snapshot_interval)
    await snapshots.restore()
    registry.loader = snapshots.load  # idle rooms leave memory after two passes and come back from here
    subscriber = functools.partial(deliver, registry)
    app[EVENTS].subscribe(subscriber)
    snapshots.start()
    try:
        yield
    finally:
        app[EVENTS].unsubscribe(subscriber)
        await snapshots.stop()


async def _heartbeat_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the heartbeat sweep while the app serves."""
    task = asyncio.create_task(app[WS_HUB].heartbeat(), name="ws-heartbeat")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _close_sockets(app: web.Application) -> None:
    """on_shutdown: close every socket with 1001 before the final snapshot is taken."""
    await app[WS_HUB].close_all()
