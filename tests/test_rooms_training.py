"""The training room's rules: aliases, control, sizes, assignments, compilers, progress, snapshots."""

from __future__ import annotations

import pytest

from server.rooms.errors import CodeTooLarge, NotInControl, NotTeamMember, NotYourself, UnknownCompiler, UnknownProblem
from server.rooms.training import FINISHED, TrainingRoom, exceeds_bytes
from server.store.users import User

from .test_rooms_base import FakePeer

ALICE = User(1, "alice", "Alice", "A")
BOB = User(2, "bob", "Bob", "B")
MEMBERS = {1: ALICE, 2: BOB}


@pytest.fixture
def room() -> TrainingRoom:
    room = TrainingRoom("s-1")
    room.bind(10, 1, ["B", "A"], "IN_PROCESS")
    return room


def test_code_needs_a_known_alias(room: TrainingRoom) -> None:
    with pytest.raises(UnknownProblem):
        room.update_code(1, "Z", "x", 100)
    assert room.update_code(1, "A", "print(1)", 100) == {"code": "print(1)", "problemAlias": "A", "userId": "1"}


def test_control_holder_alone_may_edit(room: TrainingRoom) -> None:
    room.update_code(2, "A", "anyone may type while nobody holds control", 100)
    assert room.take_control(1, 1) == {"userId": "1"}
    with pytest.raises(NotInControl) as info:
        room.update_code(2, "A", "bob", 100)
    assert info.value.details == {"controllerId": "1"}
    assert room.code["A"].startswith("anyone")
    room.update_code(1, "A", "alice", 100)
    room.take_control(2, 2)
    room.update_code(2, "A", "bob", 100)
    assert room.code["A"] == "bob"


def test_control_is_taken_only_for_oneself(room: TrainingRoom) -> None:
    with pytest.raises(NotYourself):
        room.take_control(1, 2)
    assert room.controller_id is None


def test_code_size_limit_is_in_utf8_bytes(room: TrainingRoom) -> None:
    room.update_code(1, "A", "é" * 50, 100)
    with pytest.raises(CodeTooLarge):
        room.update_code(1, "A", "é" * 51, 100)
    assert room.code["A"] == "é" * 50


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("", 0, False), ("a" * 10, 10, False), ("a" * 11, 10, True), ("é" * 5, 10, False), ("€" * 4, 10, True)],
)
def test_exceeds_bytes(text: str, limit: int, expected: bool) -> None:
    assert exceeds_bytes(text, limit) is expected


def test_assignment_substitutes_the_stored_user_and_checks_membership(room: TrainingRoom) -> None:
    out = room.assign("B", 2, MEMBERS)
    assert out == {"user": BOB.to_wire(), "problemAlias": "B"}
    with pytest.raises(NotTeamMember):
        room.assign("A", 3, MEMBERS)
    assert room.assign("B", None, MEMBERS) == {"user": None, "problemAlias": "B"}
    assert room.assigned_users() == {"A": None, "B": None}


def test_compiler_must_be_known(room: TrainingRoom) -> None:
    with pytest.raises(UnknownCompiler):
        room.select_compiler("A", "cobol", {"gcc_cpp20"})
    assert room.select_compiler("A", "gcc_cpp20", {"gcc_cpp20"}) == {"compiler": "gcc_cpp20", "problemAlias": "A"}


def test_state_lists_every_alias_sorted(room: TrainingRoom) -> None:
    room.add(FakePeer(1), 3)
    room.update_code(1, "B", "b", 100)
    state = room.state()
    assert state["trainingSessionId"] == "s-1" and state["status"] == "IN_PROCESS"
    assert state["code"] == {"A": "", "B": "b"}
    assert state["compilers"] == {"A": None, "B": None}
    assert state["assignments"] == {"A": None, "B": None}
    assert state["controllerId"] is None
    assert state["problems"] == [
        {"alias": "A", "status": "NOT_SUBMITTED", "attempts": 0},
        {"alias": "B", "status": "NOT_SUBMITTED", "attempts": 0},
    ]


def test_progress_never_goes_back(room: TrainingRoom) -> None:
    room.merge_problem("A", status="PASSED", attempts=3)
    room.merge_problem("A", status="FAILED", attempts=2)  # e.g. a stale read of the store arriving late
    room.merge_problem("A", status="BOGUS")
    assert room.state()["problems"][0] == {"alias": "A", "status": "PASSED", "attempts": 3}


def test_finish_is_sticky(room: TrainingRoom) -> None:
    room.finish()
    room.bind(10, 1, ["A", "B"], "IN_PROCESS")
    assert room.status == FINISHED


def test_snapshot_round_trip(room: TrainingRoom) -> None:
    room.update_code(1, "A", "code", 100)
    room.take_control(1, 1)
    room.assign("B", 2, MEMBERS)
    room.select_compiler("A", "gcc_c17", {"gcc_c17"})
    copy = TrainingRoom("s-1")
    copy.restore(room.snapshot())
    copy.bind(10, 1, ["A", "B"], "IN_PROCESS")
    original, restored = room.state(), copy.state()
    assert restored == original | {"users": []}


def test_snapshot_is_a_copy(room: TrainingRoom) -> None:
    snap = room.snapshot()
    room.update_code(1, "A", "later", 100)
    assert snap["code"] == {}


@pytest.mark.parametrize(
    "state",
    [
        {"v": 1, "code": {}, "compilers": {}, "assignments": {}},
        {"v": 1, "code": {"A": 1}, "compilers": {}, "assignments": {}, "controllerId": None},
        {"v": 1, "code": {}, "compilers": {}, "assignments": {"A": "bob"}, "controllerId": None},
        {"v": 1, "code": {}, "compilers": {}, "assignments": {}, "controllerId": "1"},
        {"v": 2, "code": {}, "compilers": {}, "assignments": {}, "controllerId": None},
    ],
)
def test_malformed_snapshot_changes_nothing(room: TrainingRoom, state: dict[str, object]) -> None:
    room.update_code(1, "A", "keep", 100)
    with pytest.raises(ValueError):
        room.restore(state)
    assert room.code == {"A": "keep"}
