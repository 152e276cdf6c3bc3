"""The one registry of live rooms: found in memory, read back from their snapshot, or created.

A room is loaded the first time it is needed (a join, a REST getter) and leaves memory again when
the snapshotter finds it idle and saved, so memory follows the rooms in use (docs/architecture.md).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

from ..domain.records import ProblemState
from .archive import RoomArchive
from .base import Room, RoomKind
from .lobby import LobbyRoom
from .training import DEFAULT_ROOM_CODE_BYTES, SessionFacts, TrainingRoom
from .urgent import UrgentRooms

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Room)


# Given a session id, the stored progress by alias; absent aliases are NOT_SUBMITTED with 0 attempts.
ProblemStateProvider = Callable[[str], Awaitable[Mapping[str, ProblemState]]]


class RoomRegistry:
    """Every room in memory by kind and id."""

    def __init__(
        self,
        archive: RoomArchive,
        problem_states: ProblemStateProvider,
        urgent: UrgentRooms,
        max_room_code_bytes: int = DEFAULT_ROOM_CODE_BYTES,
    ) -> None:
        self._archive = archive
        self._max_room_code = max_room_code_bytes
        self._problem_states = problem_states
        self._urgent = urgent
        self._lobbies: dict[int, LobbyRoom] = {}
        self._trainings: dict[str, TrainingRoom] = {}
        self._progress_missing: set[str] = set()  # rooms whose stored progress could not be read yet

    def _register(self, room: R) -> R:
        room.on_urgent = self._urgent.mark
        return room

    def find_lobby(self, team_id: int) -> LobbyRoom | None:
        """The team's lobby if it is in memory."""
        return self._lobbies.get(team_id)

    def find_training(self, session_id: str) -> TrainingRoom | None:
        """The session's room if it is in memory."""
        return self._trainings.get(session_id)

    def trainings_of_team(self, team_id: int) -> list[TrainingRoom]:
        """The team's training rooms in memory."""
        return [room for room in self._trainings.values() if room.team_id == team_id]

    async def lobby(self, team_id: int, create: bool) -> LobbyRoom | None:
        """The team's lobby from memory or its snapshot; a new one when `create` and there is none."""
        room = self._lobbies.get(team_id)
        if room is None:
            loaded = await self._archive.load("lobby", str(team_id))
            # another request may have loaded or created it while this one read the store
            room = self._lobbies.get(team_id)
            if room is None and isinstance(loaded, LobbyRoom):
                room = self._lobbies[team_id] = self._register(loaded)
            if room is None and create:
                room = self._lobbies[team_id] = self._register(LobbyRoom(team_id))
        return room

    async def training(self, session_id: str, facts: SessionFacts, create: bool) -> TrainingRoom | None:
        """The session's room from memory or its snapshot, with the stored problem progress merged in.

        A new room when `create` and there is none. Progress is read before any lock is taken, so a slow
        database never stalls the room; merging only moves statuses forward, so a verdict broadcast
        meanwhile is never undone.
        """
        room = self._trainings.get(session_id)
        if room is None:
            loaded = await self._archive.load("training", session_id, facts)
            room = self._trainings.get(session_id)
            if room is None and isinstance(loaded, TrainingRoom):
                room = self._adopt_training(loaded)
            if room is None and create:
                room = self._adopt_training(TrainingRoom(session_id, facts))
        if room is not None and session_id in self._progress_missing:
            with room.pinned():  # an eviction pass during the read must not drop the room being returned
                await self._load_progress(room)
        return room

    def _adopt_training(self, room: TrainingRoom) -> TrainingRoom:
        room.max_total_code = self._max_room_code  # rooms read back from snapshots are built without it
        self._trainings[room.session_id] = self._register(room)
        self._progress_missing.add(room.session_id)
        return room

    async def _load_progress(self, room: TrainingRoom) -> None:
        try:
            states = await self._problem_states(room.session_id)
        except Exception:  # stale progress is better than refusing the room; retried on next use
            log.exception("could not load problem states of session %s", room.session_id)
            return
        for alias, state in states.items():
            room.merge_problem(alias, state.status, state.attempts)
        self._progress_missing.discard(room.session_id)

    def find(self, kind: RoomKind, room_id: int | str) -> Room | None:
        """A room in memory by kind and id."""
        if kind == "lobby":
            return self._lobbies.get(int(room_id))
        return self._trainings.get(str(room_id))

    def evict(self, room: Room) -> None:
        """Forget a room (its state is in its snapshot); a later use reads it back."""
        rooms: dict[Any, Any] = self._lobbies if isinstance(room, LobbyRoom) else self._trainings
        if rooms.get(room.id) is room:
            del rooms[room.id]
            self._progress_missing.discard(str(room.id))
            self._archive.forget(room)

    def __iter__(self) -> Iterator[Room]:
        """Every room (a copy, safe while rooms are added)."""
        return iter([*self._lobbies.values(), *self._trainings.values()])

    def __len__(self) -> int:
        return len(self._lobbies) + len(self._trainings)
