"""Wiring the WebSocket side into the app: routes, room snapshots, the heartbeat and the 1001 close at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from ..domain.bus import EventBus
from ..rooms.archive import RoomArchive
from ..rooms.snapshots import Snapshotter
from .delivery import RoomDelivery
from .hub import WsHub
from .views import SocketEndpoints


def setup_ws(
    app: web.Application,
    *,
    hub: WsHub,
    endpoints: SocketEndpoints,
    archive: RoomArchive,
    snapshotter: Snapshotter,
    bus: EventBus,
) -> None:
    """Add `/ws/lobby` and `/ws/training` and the lifecycle of rooms and sockets.

    Append after the cleanup context that opens the store: ours runs after it and is torn down before it,
    so the final snapshot is written while the database is still open.
    """
    app.router.add_get("/ws/lobby", endpoints.lobby, allow_head=False)
    app.router.add_get("/ws/training", endpoints.training, allow_head=False)
    app.cleanup_ctx.append(_rooms_ctx(archive, snapshotter, bus, [RoomDelivery(hub.registry), hub.on_event]))
    app.cleanup_ctx.append(_heartbeat_ctx(hub))

    async def close_sockets(app: web.Application) -> None:
        await hub.close_all()  # on_shutdown: before the final snapshot is taken

    app.on_shutdown.append(close_sockets)


def _rooms_ctx(
    archive: RoomArchive, snapshotter: Snapshotter, bus: EventBus, subscribers: list[Callable[[Any], None]]
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Check the stored snapshots, deliver events to rooms and write snapshots; at exit the final snapshot."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await archive.open()
        for subscriber in subscribers:
            bus.subscribe(subscriber)
        snapshotter.start()
        try:
            yield
        finally:
            for subscriber in subscribers:
                bus.unsubscribe(subscriber)
            await snapshotter.stop()

    return ctx


def _heartbeat_ctx(hub: WsHub) -> Callable[[web.Application], AsyncIterator[None]]:
    """Run the heartbeat sweep while the app serves."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(hub.heartbeat(), name="ws-heartbeat")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ctx
