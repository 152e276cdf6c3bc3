"""Snapshots against a real SQLite store: only changed rooms, restore, corrupt rows, failed loads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import orjson
import pytest

from server.rooms.registry import RoomRegistry
from server.rooms.snapshots import Snapshotter
from server.store import Store
from server.store.users import User

from .test_rooms_base import FakePeer

BOB = User(2, "bob", "Bob", "B")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "db" / "trainer.db")
    yield store
    await store.close()


class SpyStore:
    """Wraps the real snapshot repository and records every save."""

    def __init__(self, store: Store) -> None:
        self.inner = store.snapshots
        self.saves: list[list[tuple[str, str, str]]] = []

    async def save_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
        self.saves.append(list(rows))
        await self.inner.save_many(rows)

    async def load_all(self) -> list[tuple[str, str, str]]:
        return await self.inner.load_all()

    async def quarantine(self, kind: str, room_id: str) -> None:
        await self.inner.quarantine(kind, room_id)


def fill(registry: RoomRegistry) -> None:
    lobby = registry.lobby(3)
    lobby.add(FakePeer(1), 3)
    lobby.select_contest(1, {1})
    room = registry.training("s-1")
    room.bind(3, 1, ["A", "B"], "IN_PROCESS")
    room.add(FakePeer(1), 3)
    room.update_code(1, "A", "print(42)\n" * 1000, 1 << 20)
    room.take_control(1, 1)
    room.assign("B", 2, {2: BOB})
    room.select_compiler("A", "python3_docker", {"python3_docker"})


async def test_only_changed_rooms_are_written_in_one_save(store: Store) -> None:
    registry = RoomRegistry()
    spy = SpyStore(store)
    snaps = Snapshotter(registry, spy, 60)
    assert await snaps.restore() == 0
    registry.lobby(9)  # exists but never changed: nothing to write
    fill(registry)
    assert await snaps.save_changed() == 2
    assert len(spy.saves) == 1 and {r[:2] for r in spy.saves[0]} == {("lobby", "3"), ("training", "s-1")}
    assert await snaps.save_changed() == 0
    registry.training("s-1").update_code(1, "B", "x", 100)
    assert await snaps.save_changed() == 1
    assert [r[:2] for r in spy.saves[-1]] == [("training", "s-1")]


async def test_restore_brings_back_state_but_not_presence(store: Store) -> None:
    first = RoomRegistry()
    snaps = Snapshotter(first, store.snapshots, 60)
    await snaps.restore()
    fill(first)
    await snaps.stop()  # the final snapshot

    second = RoomRegistry()
    assert await Snapshotter(second, store.snapshots, 60).restore() == 2
    lobby = second.find_lobby(3)
    assert lobby is not None and lobby.selected_contest_id == 1 and lobby.users() == []
    room = second.find_training("s-1")
    assert room is not None
    room.bind(3, 1, ["A", "B"], "IN_PROCESS")
    original = first.find_training("s-1")
    assert original is not None
    assert room.state() == original.state() | {"users": []}
    assert await second.assignments("s-1") == {"A": None, "B": BOB.to_wire()}


async def test_corrupt_rows_are_set_aside_and_their_rooms_saved_again(store: Store) -> None:
    await store.snapshots.save_many(
        [
            ("lobby", "1", "{not json"),
            ("lobby", "x", orjson.dumps({"v": 1, "selectedContestId": 1}).decode()),
            ("training", "t", orjson.dumps({"v": 1, "code": []}).decode()),
            ("lobby", "2", orjson.dumps({"v": 1, "selectedContestId": 2}).decode()),
        ]
    )
    registry = RoomRegistry()
    snaps = Snapshotter(registry, store.snapshots, 60)
    assert await snaps.restore() == 1
    rows = await store.db.fetch_all("SELECT kind, room_id, state FROM room_snapshots_corrupt ORDER BY room_id")
    assert [(r["kind"], r["room_id"], r["state"]) for r in rows] == [
        ("lobby", "1", "{not json"),
        ("training", "t", orjson.dumps({"v": 1, "code": []}).decode()),
        ("lobby", "x", orjson.dumps({"v": 1, "selectedContestId": 1}).decode()),
    ]
    registry.lobby(1).select_contest(5, {5})  # the room of a corrupt row is used again ...
    registry.lobby(2).select_contest(5, {5})
    assert await snaps.save_changed() == 2  # ... and saved again, like the healthy one
    stored = {(k, r): orjson.loads(s) for k, r, s in await store.snapshots.load_all()}
    assert stored == {
        ("lobby", "1"): {"v": 1, "selectedContestId": 5},
        ("lobby", "2"): {"v": 1, "selectedContestId": 5},
    }


async def test_a_row_that_cannot_be_set_aside_is_never_overwritten(store: Store) -> None:
    class NoQuarantine(SpyStore):
        async def quarantine(self, kind: str, room_id: str) -> None:
            raise OSError("disk I/O error")

    await store.snapshots.save_many([("lobby", "1", "{not json")])
    registry = RoomRegistry()
    snaps = Snapshotter(registry, NoQuarantine(store), 60)
    assert await snaps.restore() == 0
    registry.lobby(1).select_contest(5, {5})
    assert await snaps.save_changed() == 0
    assert await store.snapshots.load_all() == [("lobby", "1", "{not json")]


async def test_failed_load_never_writes(store: Store) -> None:
    class Broken(SpyStore):
        async def load_all(self) -> list[tuple[str, str, str]]:
            raise OSError("disk I/O error")

    await store.snapshots.save_many([("lobby", "1", orjson.dumps({"v": 1, "selectedContestId": 1}).decode())])
    spy = Broken(store)
    registry = RoomRegistry()
    snaps = Snapshotter(registry, spy, 60)
    assert await snaps.restore() == 0 and not snaps.writable
    registry.lobby(1).select_contest(2, {2})
    await snaps.stop()
    assert spy.saves == []
    assert orjson.loads((await store.snapshots.load_all())[0][2])["selectedContestId"] == 1


async def test_periodic_task_writes_changes(store: Store) -> None:
    saved = asyncio.Event()

    class Signalling(SpyStore):
        async def save_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
            await super().save_many(rows)
            saved.set()

    registry = RoomRegistry()
    spy = Signalling(store)
    snaps = Snapshotter(registry, spy, 0.01)
    await snaps.restore()
    snaps.start()
    try:
        registry.lobby(4).select_contest(1, {1})
        async with asyncio.timeout(5):
            await saved.wait()
    finally:
        await snaps.stop()
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

    registry = RoomRegistry()
    snaps = Snapshotter(registry, Flaky(store), 60)
    await snaps.restore()
    registry.lobby(4).select_contest(1, {1})
    with pytest.raises(OSError):
        await snaps.save_changed()
    assert await snaps.save_changed() == 1  # nothing was marked saved by the failed attempt


async def test_control_is_written_at_once_code_waits_for_the_interval(store: Store) -> None:
    registry = RoomRegistry()
    snapshots = Snapshotter(registry, store.snapshots, interval=3600)  # the periodic save never comes
    await snapshots.restore()
    snapshots.start()
    try:
        room = registry.training("s-urgent")
        room.bind(1, 1, ["A"], "IN_PROCESS")
        room.update_code(7, "A", "typing...", 1000)
        room.take_control(7, 7)

        async def stored() -> dict[str, object]:
            rows = {(k, r): orjson.loads(t) for k, r, t in await store.snapshots.load_all()}
            return rows.get(("training", "s-urgent"), {})

        async with asyncio.timeout(5):
            while not await stored():  # noqa: ASYNC110 - the snapshotter exposes no "written" event
                await asyncio.sleep(0.01)
        state = await stored()
        assert state["controllerId"] == 7 and state["code"] == {"A": "typing..."}
        room.update_code(7, "A", "more typing", 1000)  # not urgent: stays in memory until the interval
        await asyncio.sleep(0.2)
        assert (await stored())["code"] == {"A": "typing..."}
    finally:
        await snapshots.stop()
    assert (await stored())["code"] == {"A": "more typing"}  # the final snapshot writes it


async def test_idle_saved_rooms_leave_memory_and_come_back(store: Store) -> None:
    registry = RoomRegistry()
    snaps = Snapshotter(registry, store.snapshots, 60)
    await snaps.restore()
    registry.loader = snaps.load
    idle = registry.training("s-idle")
    idle.bind(3, 1, ["A"], "IN_PROCESS")
    idle.update_code(1, "A", "kept on disk", 1000)
    busy = registry.training("s-busy")
    busy.bind(3, 1, ["A"], "IN_PROCESS")
    busy.add(FakePeer(1), 3)
    pinned = registry.training("s-pinned")
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
    back = await registry.load_training("s-idle", create=False)
    assert back is not None and back.code == {"A": "changed again"}
    assert await registry.load_training("s-idle", create=False) is back  # loaded once, then from memory
    assert await registry.load_training("s-never", create=False) is None
