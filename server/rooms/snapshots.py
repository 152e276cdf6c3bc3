"""Periodic and final snapshots of changed rooms, and the eviction of idle ones (docs/protocol.md, snapshots).

Editor text waits for the periodic pass (a crash loses at most one interval of typing); control,
assignments, compilers and the selected contest are written at once through UrgentRooms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Iterable

import orjson

from .archive import RoomArchive, RoomKey
from .base import Room
from .registry import RoomRegistry
from .urgent import UrgentRooms

log = logging.getLogger(__name__)

_CHECKS_PER_TURN = 1000  # unchanged rooms looked at per loop turn (about 0.3 ms of work)


class Snapshotter:
    """Writes rooms whose state changed since their last write, all in one transaction."""

    def __init__(self, registry: RoomRegistry, archive: RoomArchive, urgent: UrgentRooms, interval: float) -> None:
        self._registry = registry
        self._archive = archive
        self._urgent = urgent
        self._interval = interval
        self._idle_before: set[RoomKey] = set()  # rooms idle at the previous full pass
        self._save_lock = asyncio.Lock()  # the periodic and the final save never interleave
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _idle(self, room: Room) -> bool:
        """Nobody in, no join under way, nothing unsaved."""
        return room.peer_count == 0 and room.pins == 0 and not room.lock.locked() and not self._archive.unsaved(room)

    async def evict_idle(self) -> int:
        """Forget rooms that were idle at this pass and the one before; returns how many."""
        idle_now: set[RoomKey] = set()
        evicted = 0
        for checked, room in enumerate(self._registry, 1):
            if checked % _CHECKS_PER_TURN == 0:
                await asyncio.sleep(0)  # thousands of rooms never stall the loop in one turn
            # checked right here, with no await before the eviction: the room is idle at this instant
            if not self._idle(room):
                continue
            if room.key in self._idle_before:
                self._registry.evict(room)
                evicted += 1
            else:
                idle_now.add(room.key)
        self._idle_before = idle_now
        return evicted

    async def save_changed(self, rooms: Iterable[Room] | None = None) -> int:
        """Write every changed room (of `rooms`, default all) in one transaction; returns how many."""
        if not self._archive.writable:
            return 0
        async with self._save_lock:
            rows: list[tuple[RoomKey, int, str]] = []
            for checked, room in enumerate(self._registry if rooms is None else rooms, 1):
                if not self._archive.unsaved(room):
                    if checked % _CHECKS_PER_TURN == 0:
                        await asyncio.sleep(0)
                    continue
                async with room.lock:
                    # Copy and encode with no await in between, so the row is consistent without holding
                    # copies: 10,000 pending snapshot dicts set off 30-50 ms full GC passes on the loop.
                    version = room.version
                    text = orjson.dumps(room.snapshot()).decode()
                rows.append((room.key, version, text))
                await asyncio.sleep(0)  # one room per loop turn, so many big editors never stall the loop
            await self._archive.save(rows)
            return len(rows)

    def start(self) -> None:
        """Start the periodic task."""
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="room-snapshots")

    async def stop(self) -> None:
        """Stop the periodic task (letting a running write finish) and write a final snapshot."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        try:
            written = await self.save_changed()
        except Exception:
            log.exception("final room snapshot failed")
        else:
            log.info("final room snapshot: %d rooms written", written)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_full = loop.time() + self._interval
        while not self._stop.is_set():
            if not self._urgent:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, next_full - loop.time())):
                        await _first(self._stop.wait(), self._urgent.wait())
                if self._stop.is_set():
                    return
            full = loop.time() >= next_full
            # Urgent rooms are written at once; a room changed again while its write runs is marked again
            # and written next time round. A full pass writes every changed room, the urgent ones included.
            urgent = self._urgent.take()
            try:
                await self.save_changed(None if full else urgent)
            except Exception:  # a full disk or a locked database must not end snapshots for good
                log.exception("room snapshot failed; retrying in %.1f s", self._interval)
                self._urgent.put_back(urgent)
                next_full = loop.time() + self._interval
                await _first(self._stop.wait(), asyncio.sleep(self._interval))  # no busy retry
                continue
            if full:
                evicted = await self.evict_idle()  # after a successful full save: nothing unsaved is forgotten
                if evicted:
                    log.debug("%d idle rooms evicted from memory", evicted)
                next_full = loop.time() + self._interval


async def _first(*waits: Awaitable[object]) -> None:
    """Wait until the first of several awaitables finishes; cancel the rest."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
