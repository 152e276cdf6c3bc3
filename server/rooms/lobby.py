"""A team's lobby: who is online and which contest the team is looking at."""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any, ClassVar

from ..domain.errors import UnknownContest
from .base import SNAPSHOT_VERSION, Room, RoomKind, check_snapshot


class LobbyRoom(Room):
    """The lobby of one team (room id = team id)."""

    kind: ClassVar[RoomKind] = "lobby"

    def __init__(self, team_id: int) -> None:
        super().__init__(team_id)
        self.team_id = team_id
        self.selected_contest_id: int | None = None

    def select_contest(self, contest_id: int, known: Container[int]) -> None:
        """Select a loaded contest; raises UnknownContest."""
        if contest_id not in known:
            raise UnknownContest(f"contest {contest_id} does not exist", {"contestId": contest_id})
        self.selected_contest_id = contest_id
        self.touch(urgent=True)

    def snapshot(self) -> dict[str, Any]:
        """The durable state: only the selected contest (presence is never restored)."""
        return {"v": SNAPSHOT_VERSION, "selectedContestId": self.selected_contest_id}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Load a snapshot; raises ValueError when it is malformed."""
        checked = check_snapshot(state, {"selectedContestId": (int, type(None))})
        self.selected_contest_id = checked["selectedContestId"]
