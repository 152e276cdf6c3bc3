"""The room registry: lookup by kind and id, adoption of restored rooms, the problem-progress hook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from server.rooms.lobby import LobbyRoom
from server.rooms.registry import ProblemStatus, RoomRegistry
from server.rooms.training import TrainingRoom


@dataclass(frozen=True)
class State:
    status: str
    attempts: int


def test_rooms_are_created_once_and_found_by_kind() -> None:
    registry = RoomRegistry()
    lobby = registry.lobby(5)
    assert registry.lobby(5) is lobby
    assert registry.find("lobby", "5") is lobby and registry.find("lobby", 5) is lobby
    assert registry.find("lobby", "x") is None
    assert registry.find("training", "s") is None
    training = registry.training("s")
    assert registry.find("training", "s") is training
    assert set(registry) == {lobby, training} and len(registry) == 2


def test_adopt_never_replaces_a_live_room() -> None:
    registry = RoomRegistry()
    live = registry.lobby(1)
    registry.adopt(LobbyRoom(1))
    registry.adopt(TrainingRoom("t"))
    assert registry.lobby(1) is live
    assert registry.find_training("t") is not None


async def test_assignments_of_unknown_session_are_empty() -> None:
    assert await RoomRegistry().assignments("nope") == {}


async def test_problem_states_are_loaded_once_and_merged() -> None:
    calls: list[str] = []

    async def provider(session_id: str) -> Mapping[str, ProblemStatus]:
        calls.append(session_id)
        return {"A": State("FAILED", 2)}

    registry = RoomRegistry(provider)
    room = registry.training("s")
    room.bind(1, 1, ["A", "B"], "IN_PROCESS")
    room.merge_problem("A", attempts=5)  # a judge update that raced ahead of the load
    await registry.load_problems(room)
    await registry.load_problems(room)
    assert calls == ["s"]
    assert room.state()["problems"] == [
        {"alias": "A", "status": "FAILED", "attempts": 5},
        {"alias": "B", "status": "NOT_SUBMITTED", "attempts": 0},
    ]


async def test_a_failing_provider_is_retried_later() -> None:
    fail = True

    async def provider(session_id: str) -> Mapping[str, ProblemStatus]:
        if fail:
            raise OSError("database is locked")
        return {"A": State("PASSED", 1)}

    registry = RoomRegistry(provider)
    room = registry.training("s")
    room.bind(1, 1, ["A"], "IN_PROCESS")
    await registry.load_problems(room)
    assert not room.problems_loaded
    fail = False
    await registry.load_problems(room)
    assert room.problems["A"].status == "PASSED"
