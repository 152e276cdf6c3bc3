"""The room registry: rooms found in memory, read back from their snapshot or created; stored progress merged."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import orjson

from server.domain.records import ProblemState
from server.rooms.archive import RoomArchive
from server.rooms.lobby import LobbyRoom
from server.rooms.registry import RoomRegistry
from server.rooms.snapshots import Snapshotter
from server.rooms.training import SessionFacts
from server.rooms.urgent import UrgentRooms
from server.store import Store

FACTS = SessionFacts.of_aliases(1, 1, ["A", "B"])


async def no_progress(session_id: str) -> Mapping[str, ProblemState]:
    return {}


async def registry_on(store: Store, provider=no_progress) -> RoomRegistry:  # type: ignore[no-untyped-def]
    archive = RoomArchive(store.snapshots)
    await archive.open()
    return RoomRegistry(archive, provider, UrgentRooms())


async def test_rooms_are_created_once_and_found_by_kind(store: Store) -> None:
    registry = await registry_on(store)
    assert await registry.lobby(5, create=False) is None
    lobby = await registry.lobby(5, create=True)
    assert await registry.lobby(5, create=True) is lobby
    assert registry.find("lobby", "5") is lobby and registry.find("lobby", 5) is lobby
    assert registry.find("training", "s") is None
    training = await registry.training("s", FACTS, create=True)
    assert registry.find("training", "s") is training and registry.trainings_of_team(1) == [training]
    assert set(registry) == {lobby, training} and len(registry) == 2


async def test_a_stored_room_is_read_back_with_its_facts(store: Store) -> None:
    await store.snapshots.save_many(
        [
            ("lobby", "3", orjson.dumps({"v": 2, "selectedContestId": 1}).decode()),
            (
                "training",
                "s",
                orjson.dumps(
                    {"v": 2, "code": {"A": "x"}, "compilers": {}, "assignments": {}, "controllerId": None}
                ).decode(),
            ),
        ]
    )
    registry = await registry_on(store)
    lobby = await registry.lobby(3, create=False)
    assert isinstance(lobby, LobbyRoom) and lobby.selected_contest_id == 1
    room = await registry.training("s", FACTS, create=False)
    assert room is not None and room.code == {"A": "x"} and room.aliases == ("A", "B") and room.team_id == 1
    registry.evict(room)
    assert registry.find_training("s") is None
    assert await registry.training("s", FACTS, create=False) is not room  # read back again


async def test_problem_states_are_loaded_once_and_merged(store: Store) -> None:
    calls: list[str] = []

    async def provider(session_id: str) -> Mapping[str, ProblemState]:
        calls.append(session_id)
        return {"A": ProblemState("FAILED", 2)}

    registry = await registry_on(store, provider)
    room = await registry.training("s", FACTS, create=True)
    assert room is not None
    room.merge_problem("A", attempts=5)  # a judge update that raced ahead of a later load
    await registry.training("s", FACTS, create=True)
    assert calls == ["s"]
    assert (room.problems["A"].status, room.problems["A"].attempts) == ("FAILED", 5)
    assert room.problems["B"].status == "NOT_SUBMITTED"


async def test_a_failing_provider_is_retried_later(store: Store) -> None:
    fail = True

    async def provider(session_id: str) -> Mapping[str, ProblemState]:
        if fail:
            raise OSError("database is locked")
        return {"A": ProblemState("PASSED", 1)}

    registry = await registry_on(store, provider)
    room = await registry.training("s", FACTS, create=True)
    assert room is not None and room.problems["A"].status == "NOT_SUBMITTED"
    fail = False
    await registry.training("s", FACTS, create=False)
    assert room.problems["A"].status == "PASSED"


async def test_every_training_room_gets_the_configured_total(store: Store) -> None:
    archive = RoomArchive(store.snapshots)
    await archive.open()
    registry = RoomRegistry(archive, no_progress, UrgentRooms(), max_room_code_bytes=12345)
    created = await registry.training("s", FACTS, create=True)
    assert created is not None and created.max_total_code == 12345
    await store.snapshots.save_many([("training", "t", orjson.dumps(created.snapshot()).decode())])
    loaded = await registry.training("t", FACTS, create=False)
    assert loaded is not None and loaded.max_total_code == 12345


async def test_a_room_is_never_evicted_while_its_progress_loads(store: Store) -> None:
    """Eviction passes that run while the stored progress is read must not drop the room being returned.

    Otherwise the caller gets a room the registry no longer knows: edits made in it are never saved and
    the next request reads a second copy back from the snapshot.
    """
    loading, release = asyncio.Event(), asyncio.Event()

    async def slow_provider(session_id: str) -> Mapping[str, ProblemState]:
        loading.set()
        await release.wait()
        return {}

    archive = RoomArchive(store.snapshots)
    await archive.open()
    urgent = UrgentRooms()
    registry = RoomRegistry(archive, slow_provider, urgent)
    snapshotter = Snapshotter(registry, archive, urgent, interval=60)
    opening = asyncio.create_task(registry.training("s", FACTS, create=True))
    await loading.wait()
    assert await snapshotter.evict_idle() == 0 and await snapshotter.evict_idle() == 0
    release.set()
    room = await opening
    assert room is not None and registry.find_training("s") is room
