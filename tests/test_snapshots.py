"""Snapshots against a real SQLite store: only changed rooms, read back, corrupt rows, failed loads, eviction."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from schemas.broadcasts import TrainingStateSchema
from server.domain.records import ProblemState, User
from server.rooms.archive import RoomArchive, SnapshotStore
from server.rooms.registry import RoomRegistry
from server.rooms.snapshots import Snapshotter
from server.rooms.training import SessionFacts
from server.rooms.urgent import UrgentRooms
from server.store import Store

from .test_rooms_base import FakePeer

BOB = User(2, "bob", "Bob", "B")
FACTS = SessionFacts.of_aliases(3, 1, ["A", "B"])


class SpyStore:
    """Wraps the real snapshot repository and records every save."""

    def __init__(self, store: Store) -> None:
        self.inner = store.snapshots
        self.saves: list[list[tuple[str, str, str]]] = []

    async def save_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
        self.saves.append(list(rows))
        await self.inner.save_many(rows)

    async def load_one(self, kind: str, room_id: str) -> str | None:
        return await self.inner.load_one(kind, room_id)

    async def check(self) -> None:
        await self.inner.check()

    async def quarantine(self, kind: str, room_id: str) -> None:
        await self.inner.quarantine(kind, room_id)


async def no_progress(session_id: str) -> Mapping[str, ProblemState]:
    return {}


@dataclass
class Rooms:
    """The registry and snapshotter of one server, on one snapshot store."""

    registry: RoomRegistry
    snapshots: Snapshotter
    archive: RoomArchive


async def rooms_on(snapshot_store: SnapshotStore, interval: float = 60) -> Rooms:
    archive = RoomArchive(snapshot_store)
    await archive.open()
    urgent = UrgentRooms()
    registry = RoomRegistry(archive, no_progress, urgent)
    return Rooms(registry, Snapshotter(registry, archive, urgent, interval), archive)


async def fill(registry: RoomRegistry) -> None:
    lobby = await registry.lobby(3, create=True)
    assert lobby is not None
    lobby.add(FakePeer(1), 3)
    lobby.select_contest(1, {1})
    room = await registry.training("s-1", FACTS, create=True)
    assert room is not None
    room.add(FakePeer(1), 3)
    room.update_code(1, "A", "print(42)\n" * 1000, 1 << 20)
    room.take_control(1, 1)
    room.assign("B", 2, {2: BOB})
    room.select_compiler("A", "python3_docker", {"python3_docker"})


async def stored(store: Store) -> dict[tuple[str, str], Any]:
    rows = await store.db.fetch_all("SELECT kind, room_id, state FROM room_snapshots")
    return {(r["kind"], r["room_id"]): orjson.loads(r["state"]) for r in rows}


async def test_only_changed_rooms_are_written_in_one_save(store: Store) -> None:
    spy = SpyStore(store)
    rooms = await rooms_on(spy)
    await rooms.registry.lobby(9, create=True)  # exists but never changed: nothing to write
    await fill(rooms.registry)
    assert await rooms.snapshots.save_changed() == 2
    assert len(spy.saves) == 1 and {r[:2] for r in spy.saves[0]} == {("lobby", "3"), ("training", "s-1")}
    assert await rooms.snapshots.save_changed() == 0
    room = rooms.registry.find_training("s-1")
    assert room is not None
    room.update_code(1, "B", "x", 100)
    assert await rooms.snapshots.save_changed() == 1
    assert [r[:2] for r in spy.saves[-1]] == [("training", "s-1")]


async def test_a_restart_reads_back_state_but_not_presence(store: Store) -> None:
    first = await rooms_on(store.snapshots)
    await fill(first.registry)
    await first.snapshots.stop()  # the final snapshot

    second = await rooms_on(store.snapshots)
    lobby = await second.registry.lobby(3, create=False)
    assert lobby is not None and lobby.selected_contest_id == 1 and lobby.users() == []
    room = await second.registry.training("s-1", FACTS, create=False)
    original = first.registry.find_training("s-1")
    assert room is not None and original is not None
    schema = TrainingStateSchema()
    assert schema.dump(room) == schema.dump(original) | {"users": []}
    assert room.assignments == {"B": BOB}


async def test_corrupt_rows_are_set_aside_and_their_rooms_saved_again(store: Store) -> None:
    training_row = orjson.dumps({"v": 2, "code": []}).decode()
    await store.snapshots.save_many(
        [
            ("lobby", "1", "{not json"),
            ("training", "t", training_row),
            ("lobby", "2", orjson.dumps({"v": 1, "selectedContestId": 2}).decode()),
        ]
    )
    rooms = await rooms_on(store.snapshots)
    assert await rooms.registry.lobby(1, create=False) is None  # unreadable: set aside, nothing built on it
    assert await rooms.registry.training("t", FACTS, create=False) is None
    healthy = await rooms.registry.lobby(2, create=False)
    assert healthy is not None and healthy.selected_contest_id == 2
    rows = await store.db.fetch_all("SELECT kind, room_id, state FROM room_snapshots_corrupt ORDER BY room_id")
    assert [(r["kind"], r["room_id"], r["state"]) for r in rows] == [
        ("lobby", "1", "{not json"),
        ("training", "t", training_row),
    ]
    again = await rooms.registry.lobby(1, create=True)  # the room of a corrupt row is used again ...
    assert again is not None
    again.select_contest(5, {5})
    healthy.select_contest(5, {5})
    assert await rooms.snapshots.save_changed() == 2  # ... and saved again, like the healthy one
    assert await stored(store) == {
        ("lobby", "1"): {"v": 2, "selectedContestId": 5},
        ("lobby", "2"): {"v": 2, "selectedContestId": 5},
    }


async def test_a_row_that_cannot_be_set_aside_is_never_overwritten(store: Store) -> None:
    class NoQuarantine(SpyStore):
        async def quarantine(self, kind: str, room_id: str) -> None:
            raise OSError("disk I/O error")

    await store.snapshots.save_many([("lobby", "1", "{not json")])
    rooms = await rooms_on(NoQuarantine(store))
    assert await rooms.registry.lobby(1, create=False) is None
    room = await rooms.registry.lobby(1, create=True)
    assert room is not None
    room.select_contest(5, {5})
    assert await rooms.snapshots.save_changed() == 0
    rows = await store.db.fetch_all("SELECT state FROM room_snapshots")
    assert [r["state"] for r in rows] == ["{not json"]


async def test_an_unreadable_snapshot_table_is_never_written(store: Store) -> None:
    class Broken(SpyStore):
        async def check(self) -> None:
            raise OSError("disk I/O error")

    await store.snapshots.save_many([("lobby", "1", orjson.dumps({"v": 1, "selectedContestId": 1}).decode())])
    spy = Broken(store)
    rooms = await rooms_on(spy)
    assert not rooms.archive.writable
    room = await rooms.registry.lobby(1, create=True)  # nothing is read back on a guess either
    assert room is not None and room.selected_contest_id is None
    room.select_contest(2, {2})
    await rooms.snapshots.stop()
    assert spy.saves == []
    assert (await stored(store))[("lobby", "1")]["selectedContestId"] == 1


async def test_periodic_task_writes_changes(store: Store) -> None:
    saved = asyncio.Event()

    class Signalling(SpyStore):
        async def save_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
            await super().save_many(rows)
            saved.set()

    spy = Signalling(store)
    rooms = await rooms_on(spy, interval=0.01)
    rooms.snapshots.start()
    try:
        room = await rooms.registry.lobby(4, create=True)
        assert room is not None
        room.select_contest(1, {1})
        async with asyncio.timeout(5):
            await saved.wait()
    finally:
        await rooms.snapshots.stop()
    assert spy.saves[0][0][:2] == ("lobby", "4")
    assert len(spy.saves) == 1  # the final snapshot found nothing new


async def test_a_failing_save_is_retried(store: Store) -> None:
    class Flaky(SpyStore):
        fail = True

        async def save_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
            if self.fail:
                self.fail = False
                raise OSError("database is locked")
            await super().save_many(rows)

    rooms = await rooms_on(Flaky(store))
    room = await rooms.registry.lobby(4, create=True)
    assert room is not None
    room.select_contest(1, {1})
    with pytest.raises(OSError):
        await rooms.snapshots.save_changed()
    assert await rooms.snapshots.save_changed() == 1  # nothing was marked saved by the failed attempt


async def test_control_is_written_at_once_code_waits_for_the_interval(store: Store) -> None:
    rooms = await rooms_on(store.snapshots, interval=3600)  # the periodic save never comes
    rooms.snapshots.start()
    try:
        room = await rooms.registry.training("s-urgent", SessionFacts.of_aliases(1, 1, ["A"]), create=True)
        assert room is not None
        room.update_code(7, "A", "typing...", 1000)
        room.take_control(7, 7)

        async def state() -> dict[str, Any]:
            return (await stored(store)).get(("training", "s-urgent"), {})  # type: ignore[no-any-return]

        async with asyncio.timeout(5):
            while not await state():  # noqa: ASYNC110 - the snapshotter exposes no "written" event
                await asyncio.sleep(0.01)
        assert (await state())["controllerId"] == 7 and (await state())["code"] == {"A": "typing..."}
        room.update_code(7, "A", "more typing", 1000)  # not urgent: stays in memory until the interval
        await asyncio.sleep(0.2)
        assert (await state())["code"] == {"A": "typing..."}
    finally:
        await rooms.snapshots.stop()
    assert (await state())["code"] == {"A": "more typing"}  # the final snapshot writes it


async def test_idle_saved_rooms_leave_memory_and_come_back(store: Store) -> None:
    rooms = await rooms_on(store.snapshots)
    registry, snaps = rooms.registry, rooms.snapshots
    one = SessionFacts.of_aliases(3, 1, ["A"])
    idle = await registry.training("s-idle", one, create=True)
    busy = await registry.training("s-busy", one, create=True)
    pinned = await registry.training("s-pinned", one, create=True)
    assert idle is not None and busy is not None and pinned is not None
    idle.update_code(1, "A", "kept on disk", 1000)
    busy.add(FakePeer(1), 3)
    pinned.pins = 1
    await snaps.save_changed()
    assert await snaps.evict_idle() == 0  # idle once: kept, a member may be about to come back
    idle.update_code(1, "A", "changed again", 1000)  # unsaved: must not be forgotten
    assert await snaps.evict_idle() == 0
    await snaps.save_changed()
    await snaps.evict_idle()
    assert await snaps.evict_idle() == 1
    assert registry.find_training("s-idle") is None
    assert registry.find_training("s-busy") is busy and registry.find_training("s-pinned") is pinned
    back = await registry.training("s-idle", one, create=False)
    assert back is not None and back.code == {"A": "changed again"}
    assert await registry.training("s-idle", one, create=False) is back  # loaded once, then from memory
    assert await registry.training("s-never", one, create=False) is None
