"""The lobby: selected contest, ROOM_STATE and its snapshot round trip."""

from __future__ import annotations

import pytest

from schemas.broadcasts import LobbyStateSchema
from server.domain.errors import UnknownContest
from server.rooms.lobby import LobbyRoom

from .test_rooms_base import FakePeer


def test_select_known_contest_bumps_version() -> None:
    room = LobbyRoom(7)
    room.select_contest(2, {1, 2})
    assert room.selected_contest_id == 2
    assert room.version == 1


def test_unknown_contest_changes_nothing() -> None:
    room = LobbyRoom(7)
    with pytest.raises(UnknownContest) as info:
        room.select_contest(9, {1, 2})
    assert info.value.details == {"contestId": 9}
    assert room.selected_contest_id is None and room.version == 0


def test_state_lists_online_users() -> None:
    room = LobbyRoom(7)
    room.add(FakePeer(3), 3)
    state = LobbyStateSchema().dump(room)
    assert state["teamId"] == 7 and state["selectedContestId"] is None
    assert [u["id"] for u in state["users"]] == ["3"]


def test_snapshot_round_trip_without_presence() -> None:
    room = LobbyRoom(7)
    room.add(FakePeer(3), 3)
    room.select_contest(1, {1})
    copy = LobbyRoom(7)
    copy.restore(room.snapshot())
    assert copy.selected_contest_id == 1 and copy.users() == []


@pytest.mark.parametrize(
    "state",
    [
        [],
        {"v": 99, "selectedContestId": 1},
        {"v": 1},
        {"v": 1, "selectedContestId": "1"},
        {"v": 1, "selectedContestId": True},
    ],
)
def test_malformed_snapshot_is_refused(state: object) -> None:
    room = LobbyRoom(7)
    with pytest.raises(ValueError):
        room.restore(state)  # type: ignore[arg-type]
