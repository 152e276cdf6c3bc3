"""The rooms' stored snapshots: reading a room back, writing changed ones, setting unreadable rows aside.

Shared by the registry (which loads a room the first time it is needed) and the snapshotter (which
writes changed rooms): both must agree on which version of a room is already stored, and on the
rows that must never be overwritten (docs/architecture.md, "frame → broadcast → snapshot").
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import orjson

from .base import Room, RoomKind
from .lobby import LobbyRoom
from .training import SessionFacts, TrainingRoom

log = logging.getLogger(__name__)

RoomKey = tuple[str, str]


class SnapshotStore(Protocol):
    """The part of the store the archive uses (`store.snapshots`)."""

    async def save_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Upsert (kind, room_id, state_json) rows in one transaction."""
        ...

    async def load_one(self, kind: str, room_id: str) -> str | None:
        """One room's stored state_json, if any."""
        ...

    async def quarantine(self, kind: str, room_id: str) -> None:
        """Move an unreadable row aside, keeping it, so the room can be saved again."""
        ...

    async def check(self) -> None:
        """Raise if the snapshot table cannot be read."""
        ...


def room_from_row(kind: str, room_id: str, text: str | bytes, facts: SessionFacts | None = None) -> Room:
    """Rebuild a room from a stored row; raises ValueError when anything in it is wrong."""
    room: Room
    if kind == "lobby":
        room = LobbyRoom(int(room_id))
    elif kind == "training":
        if facts is None:
            raise ValueError("a training room needs its session's facts")
        room = TrainingRoom(room_id, facts)
    else:
        raise ValueError(f"unknown room kind {kind!r}")
    try:
        state = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"snapshot is not JSON: {exc}") from None
    room.restore(state)
    return room


class RoomArchive:
    """Stored snapshots and the version of each room they hold."""

    def __init__(self, store: SnapshotStore) -> None:
        self._store = store
        self._saved: dict[RoomKey, int] = {}  # room version last written (or read back)
        self._kept: set[RoomKey] = set()  # unreadable rows that could not be set aside: never overwritten
        self._writable = False  # only once the table proved readable, so a failed read never loses state

    @property
    def writable(self) -> bool:
        """True when snapshots are read and written."""
        return self._writable

    async def open(self) -> None:
        """At start: check the stored snapshots can be read; if not, leave them alone until restart."""
        try:
            await self._store.check()
        except Exception:
            log.exception("room snapshots could not be read; snapshots are off until restart to keep them")
            return
        self._writable = True

    async def load(self, kind: RoomKind, room_id: str, facts: SessionFacts | None = None) -> Room | None:
        """One room from its snapshot, recorded as saved; None when there is none or it is unreadable."""
        if not self._writable:
            return None  # the stored state could not be read at start: never build on a guess
        text = await self._store.load_one(kind, room_id)
        if text is None:
            return None
        try:
            room = room_from_row(kind, room_id, text, facts)
        except Exception as exc:  # whatever is wrong with one row, the others go on
            await self._set_aside((kind, room_id), exc)
            return None
        self._saved[room.key] = room.version
        return room

    def unsaved(self, room: Room) -> bool:
        """True when the room changed since its stored version (and its row may be written)."""
        return room.key not in self._kept and room.version != self._saved.get(room.key, 0)

    async def save(self, rows: Sequence[tuple[RoomKey, int, str]]) -> None:
        """Write (key, version, state_json) rows in one transaction and record their versions."""
        if not self._writable or not rows:
            return
        await self._store.save_many([(key[0], key[1], text) for key, _, text in rows])
        for key, version, _ in rows:
            self._saved[key] = version

    def forget(self, room: Room) -> None:
        """The room left memory; its stored version is read again with it."""
        self._saved.pop(room.key, None)

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
