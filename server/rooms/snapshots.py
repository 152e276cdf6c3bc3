"""Periodic and final snapshots of changed rooms, and their restore at start (SPEC §7)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Iterable, Sequence
from typing import Protocol

import orjson

from ..events import RoomKind
from .base import Room
from .lobby import LobbyRoom
from .registry import RoomRegistry
from .training import TrainingRoom

log = logging.getLogger(__name__)

RoomKey = tuple[str, str]
_CHECKS_PER_TURN = 1000  # unchanged rooms looked at per loop turn (about 0.3 ms of work)


class SnapshotStore(Protocol):
    """The part of the store the snapshotter uses (`store.snapshots`)."""

    async def save_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Upsert (kind, room_id, state_json) rows in one transaction."""
        ...

    async def load_all(self) -> list[tuple[str, str, str]]:
        """Every stored (kind, room_id, state_json)."""
        ...

    async def quarantine(self, kind: str, room_id: str) -> None:
        """Move an unreadable row aside, keeping it, so the room can be saved again."""
        ...

    async def load_one(self, kind: str, room_id: str) -> str | None:
        """One room's stored state_json, if any."""
        ...


def room_from_row(kind: str, room_id: str, text: str | bytes) -> Room:
    """Rebuild a room from a stored row; raises ValueError when anything in it is wrong."""
    room: Room
    if kind == "lobby":
        room = LobbyRoom(int(room_id))
    elif kind == "training":
        room = TrainingRoom(room_id)
    else:
        raise ValueError(f"unknown room kind {kind!r}")
    try:
        state = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"snapshot is not JSON: {exc}") from None
    room.restore(state)
    return room


class Snapshotter:
    """Writes rooms whose state changed since their last write, all in one transaction."""

    def __init__(self, registry: RoomRegistry, store: SnapshotStore, interval: float) -> None:
        self._registry = registry
        self._store = store
        self._interval = interval
        self._saved: dict[RoomKey, int] = {}  # room version last written (or restored)
        self._kept: set[RoomKey] = set()  # unreadable rows that could not be set aside: never overwritten
        self._idle_before: set[RoomKey] = set()  # rooms idle at the previous full pass
        self._writable = False  # only after a successful load, so a failed one never loses stored state
        self._save_lock = asyncio.Lock()  # the periodic and the final save never interleave
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def writable(self) -> bool:
        """True when snapshots are being written."""
        return self._writable

    async def restore(self) -> int:
        """Load every stored snapshot into the registry; returns how many rooms were restored."""
        try:
            rows = await self._store.load_all()
        except Exception:
            log.exception("room snapshots could not be loaded; snapshots are off until restart to keep them")
            return 0
        restored = 0
        for kind, room_id, text in rows:
            room = await self._from_row(kind, room_id, text)
            if room is not None:
                self._registry.adopt(room)
                restored += 1
        self._writable = True
        log.info("%d room snapshots restored", restored)
        return restored

    async def load(self, kind: RoomKind, room_id: str) -> Room | None:
        """One room from its snapshot (the registry's loader); None when there is none or it is unreadable."""
        if not self._writable:
            return None  # the stored state could not be read at start: never build on a guess
        text = await self._store.load_one(kind, room_id)
        return await self._from_row(kind, room_id, text) if text is not None else None

    async def _from_row(self, kind: str, room_id: str, text: str) -> Room | None:
        """A room from a stored row, recorded as saved; an unreadable row is set aside and gives None."""
        try:
            room = room_from_row(kind, room_id, text)
        except Exception as exc:  # whatever is wrong with one row, the others and the start go on
            await self._set_aside((kind, room_id), exc)
            return None
        self._saved[room.key] = room.version
        return room

    def _idle(self, room: Room) -> bool:
        """Nobody in, no join under way, nothing unsaved."""
        return (
            room.peer_count == 0
            and room.pins == 0
            and not room.lock.locked()
            and room.version == self._saved.get(room.key, 0)
        )

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
                self._saved.pop(room.key, None)
                evicted += 1
            else:
                idle_now.add(room.key)
        self._idle_before = idle_now
        return evicted

    async def _set_aside(self, key: RoomKey, problem: Exception) -> None:
        """Quarantine an unreadable row; if even that fails, never overwrite it in this process."""
        try:
            await self._store.quarantine(*key)
        except Exception:
            self._kept.add(key)
            log.exception(
                "snapshot of %s %s is unreadable (%s) and could not be set aside; kept as stored", *key, problem
            )
        else:
            log.error("snapshot of %s %s is unreadable (%s): moved to room_snapshots_corrupt", *key, problem)

    async def save_changed(self, rooms: Iterable[Room] | None = None) -> int:
        """Write every changed room (of `rooms`, default all) in one transaction; returns how many."""
        if not self._writable:
            return 0
        async with self._save_lock:
            rows: list[tuple[str, str, str]] = []
            versions: list[tuple[RoomKey, int]] = []
            for checked, room in enumerate(self._registry if rooms is None else rooms, 1):
                key = room.key
                if key in self._kept or room.version == self._saved.get(key, 0):
                    if checked % _CHECKS_PER_TURN == 0:
                        await asyncio.sleep(0)
                    continue
                async with room.lock:
                    # Copy and encode with no await in between, so the row is consistent without holding
                    # copies: 10,000 pending snapshot dicts set off 30-50 ms full GC passes on the loop.
                    version = room.version
                    text = orjson.dumps(room.snapshot()).decode()
                rows.append((key[0], key[1], text))
                versions.append((key, version))
                await asyncio.sleep(0)  # one room per loop turn, so many big editors never stall the loop
            if not rows:
                return 0
            await self._store.save_many(rows)
            for key, version in versions:
                self._saved[key] = version
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
        urgent = self._registry.urgent
        next_full = loop.time() + self._interval
        while not self._stop.is_set():
            self._registry.urgent_changed.clear()
            if not urgent:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, next_full - loop.time())):
                        await _first(self._stop.wait(), self._registry.urgent_changed.wait())
                if self._stop.is_set():
                    return
            full = loop.time() >= next_full
            # Urgent rooms (control, assignments, compilers, selected contest) are written at once; a room
            # changed again while its write runs is marked again and written next time round.
            batch = None if full else list(urgent)
            urgent.clear()
            try:
                await self.save_changed(batch)
            except Exception:  # a full disk or a locked database must not end snapshots for good
                log.exception("room snapshot failed; retrying in %.1f s", self._interval)
                urgent.update(batch or ())
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
