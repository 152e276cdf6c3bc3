"""The training room's rules: aliases, control, sizes, assignments, compilers, progress, snapshots."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.broadcasts import TrainingStateSchema
from server.domain.errors import (
    CodeTooLarge,
    NotInControl,
    NotTeamMember,
    NotYourself,
    RoomCodeFull,
    UnknownCompiler,
    UnknownProblem,
)
from server.domain.events import ProblemProgressed, SessionFinished
from server.domain.records import FINISHED, IN_PROCESS, TrainingSession, User
from server.rooms.training import SessionFacts, TrainingRoom, utf8_size

from .test_rooms_base import FakePeer

ALICE = User(1, "alice", "Alice", "A")
BOB = User(2, "bob", "Bob", "B")
MEMBERS = {1: ALICE, 2: BOB}


FACTS = SessionFacts(team_id=10, contest_id=1, aliases=("A", "B"), finished=False)


@pytest.fixture
def room() -> TrainingRoom:
    return TrainingRoom("s-1", FACTS)


def state(room: TrainingRoom) -> dict[str, Any]:
    """The ROOM_STATE payload a newcomer would get."""
    return TrainingStateSchema().dump(room)  # type: ignore[no-any-return]


def test_code_needs_a_known_alias(room: TrainingRoom) -> None:
    with pytest.raises(UnknownProblem):
        room.update_code(1, "Z", "x", 100)
    version = room.version
    room.update_code(1, "A", "print(1)", 100)
    assert room.code == {"A": "print(1)"} and room.version == version + 1


def test_control_holder_alone_may_edit(room: TrainingRoom) -> None:
    room.update_code(2, "A", "anyone may type while nobody holds control", 100)
    room.take_control(1, 1)
    assert room.controller_id == 1
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
    ("text", "limit", "refused"),
    [("", 0, False), ("a" * 10, 10, False), ("a" * 11, 10, True), ("é" * 5, 10, False), ("€" * 4, 10, True)],
)
def test_code_limit_boundaries(room: TrainingRoom, text: str, limit: int, refused: bool) -> None:
    if refused:
        with pytest.raises(CodeTooLarge):
            room.update_code(1, "A", text, limit)
    else:
        room.update_code(1, "A", text, limit)
        assert room.code["A"] == text and room.code_bytes == len(text.encode())


def test_assignment_substitutes_the_stored_user_and_checks_membership(room: TrainingRoom) -> None:
    assert room.assign("B", 2, MEMBERS) == BOB
    assert room.assignments == {"B": BOB}
    with pytest.raises(NotTeamMember):
        room.assign("A", 3, MEMBERS)
    assert room.assign("B", None, MEMBERS) is None
    assert state(room)["assignments"] == {"A": None, "B": None}


def test_compiler_must_be_known(room: TrainingRoom) -> None:
    with pytest.raises(UnknownCompiler):
        room.select_compiler("A", "cobol", {"gcc_cpp20"})
    room.select_compiler("A", "gcc_cpp20", {"gcc_cpp20"})
    assert room.compilers == {"A": "gcc_cpp20"}


def test_state_lists_every_alias_sorted() -> None:
    room = TrainingRoom("s-1", SessionFacts.of_aliases(10, 1, ["B", "A"]))
    room.add(FakePeer(1), 3)
    room.update_code(1, "B", "b", 100)
    room.assign("A", 2, MEMBERS)
    shown = state(room)
    assert shown["trainingSessionId"] == "s-1" and shown["status"] == "IN_PROCESS"
    assert [u["id"] for u in shown["users"]] == ["1"]
    assert shown["code"] == {"A": "", "B": "b"}
    assert shown["compilers"] == {"A": None, "B": None}
    assert shown["assignments"]["A"]["login"] == "bob" and shown["assignments"]["B"] is None
    assert shown["controllerId"] is None
    assert shown["problems"] == [
        {"alias": "A", "status": "NOT_SUBMITTED", "attempts": 0},
        {"alias": "B", "status": "NOT_SUBMITTED", "attempts": 0},
    ]


def test_progress_never_goes_back(room: TrainingRoom) -> None:
    room.apply(ProblemProgressed("s-1", "A", "PASSED", 3))
    room.merge_problem("A", status="FAILED", attempts=2)  # e.g. a stale read of the store arriving late
    room.merge_problem("A", status="BOGUS")
    assert state(room)["problems"][0] == {"alias": "A", "status": "PASSED", "attempts": 3}


def test_a_finished_session_stays_finished(room: TrainingRoom) -> None:
    assert room.status == "IN_PROCESS"
    session = _session_record(finished=True)
    room.apply(SessionFinished(session, expired=True))
    assert room.status == FINISHED
    assert TrainingRoom("s-2", SessionFacts.of(session, ["A"])).status == FINISHED


def _session_record(finished: bool) -> TrainingSession:
    now = datetime.now(UTC)
    return TrainingSession("s-1", 10, 1, FINISHED if finished else IN_PROCESS, now, now if finished else None, now)


def test_snapshot_round_trip(room: TrainingRoom) -> None:
    room.update_code(1, "A", "code", 100)
    room.take_control(1, 1)
    room.assign("B", 2, MEMBERS)
    room.select_compiler("A", "gcc_c17", {"gcc_c17"})
    copy = TrainingRoom("s-1", FACTS)
    copy.restore(room.snapshot())
    assert state(copy) == state(room)
    assert copy.assignments == {"B": BOB}


def test_version_1_snapshots_with_wire_users_still_load(room: TrainingRoom) -> None:
    """Snapshots written before version 2 hold wire user objects (id as digits); they load as records."""
    wire_bob = {"id": "2", "login": "bob", "first_name": "Bob", "last_name": "B", "display_name": "bob"}
    room.restore({"v": 1, "code": {"A": "x"}, "compilers": {}, "assignments": {"B": wire_bob}, "controllerId": 2})
    assert room.assignments == {"B": BOB} and room.controller_id == 2 and room.code == {"A": "x"}


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
        {"v": 3, "code": {}, "compilers": {}, "assignments": {}, "controllerId": None},
        {"v": 2, "code": {}, "compilers": {}, "assignments": {"A": {"id": "x", "login": "b"}}, "controllerId": None},
    ],
)
def test_malformed_snapshot_changes_nothing(room: TrainingRoom, state: dict[str, object]) -> None:
    room.update_code(1, "A", "keep", 100)
    with pytest.raises(ValueError):
        room.restore(state)
    assert room.code == {"A": "keep"}


def test_the_room_holds_at_most_its_total_of_editor_text() -> None:
    room = TrainingRoom("s-1", SessionFacts.of_aliases(10, 1, ["A", "B", "C"]), max_total_code=100)
    room.update_code(1, "A", "a" * 60, 100)
    room.update_code(1, "B", "é" * 20, 100)  # 40 bytes: 100 in all
    assert room.code_bytes == 100
    with pytest.raises(RoomCodeFull) as refused:
        room.update_code(1, "C", "c", 100)
    assert isinstance(refused.value, CodeTooLarge)  # the ERROR code of any size refusal
    assert refused.value.details == {"problemAlias": "C", "maxRoomBytes": 100}
    assert "C" not in room.code and room.code_bytes == 100
    room.update_code(1, "A", "a" * 30, 100)  # replacing frees what the old text held
    room.update_code(1, "C", "c" * 30, 100)
    assert room.code_bytes == 100 and utf8_size(room.code["B"]) == 40


def test_a_restored_room_over_a_lowered_total_can_only_shrink() -> None:
    big = TrainingRoom("s-1", FACTS, max_total_code=1000)
    big.update_code(1, "A", "x" * 300, 1000)
    big.update_code(1, "B", "y" * 300, 1000)
    small = TrainingRoom("s-1", FACTS, max_total_code=400)
    small.restore(big.snapshot())
    assert small.code_bytes == 600
    with pytest.raises(RoomCodeFull):
        small.update_code(1, "A", "x" * 301, 1000)
    small.update_code(1, "A", "x" * 250, 1000)  # smaller than before: taken although still over
    assert small.code_bytes == 550
