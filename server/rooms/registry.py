"""The one registry of live rooms on the app (`app[ROOMS]`), and the hook for problem progress."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Protocol, TypeVar

from ..events import RoomKind
from .base import Room
from .lobby import LobbyRoom
from .training import TrainingRoom

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Room)


class ProblemStatus(Protocol):
    """What a provider reports for one problem (e.g. the store's ProblemState)."""

    @property
    def status(self) -> str:
        """NOT_SUBMITTED, FAILED or PASSED."""
        ...

    @property
    def attempts(self) -> int:
        """Judged submissions so far."""
        ...


# Given a session id, the stored progress by alias; absent aliases are NOT_SUBMITTED with 0 attempts.
ProblemStateProvider = Callable[[str], Awaitable[Mapping[str, ProblemStatus]]]


class RoomRegistry:
    """Every room in memory by kind and id; idle rooms are evicted and loaded back from their snapshots."""

    def __init__(self, problem_states: ProblemStateProvider | None = None) -> None:
        self._lobbies: dict[int, LobbyRoom] = {}
        self._trainings: dict[str, TrainingRoom] = {}
        self.problem_states = problem_states
        self.urgent: set[Room] = set()  # rooms with a change that must be written at once
        self.urgent_changed = asyncio.Event()
        # Reads a room that is not in memory (evicted, or never opened since start) from its snapshot.
        self.loader: Callable[[RoomKind, str], Awaitable[Room | None]] | None = None

    def _mark_urgent(self, room: Room) -> None:
        self.urgent.add(room)
        self.urgent_changed.set()

    def _register(self, room: R) -> R:
        room.on_urgent = self._mark_urgent
        return room

    def lobby(self, team_id: int) -> LobbyRoom:
        """The team's lobby, created on first use."""
        room = self._lobbies.get(team_id)
        if room is None:
            room = self._lobbies[team_id] = self._register(LobbyRoom(team_id))
        return room

    def training(self, session_id: str) -> TrainingRoom:
        """The session's room, created on first use."""
        room = self._trainings.get(session_id)
        if room is None:
            room = self._trainings[session_id] = self._register(TrainingRoom(session_id))
        return room

    def find_lobby(self, team_id: int) -> LobbyRoom | None:
        """The team's lobby if it exists."""
        return self._lobbies.get(team_id)

    def find_training(self, session_id: str) -> TrainingRoom | None:
        """The session's room if it exists."""
        return self._trainings.get(session_id)

    def find(self, kind: RoomKind, room_id: int | str) -> Room | None:
        """A room by kind and id (a lobby id may come as text, e.g. from a snapshot row)."""
        if kind == "lobby":
            try:
                return self._lobbies.get(int(room_id))
            except ValueError:
                return None
        return self._trainings.get(str(room_id))

    def adopt(self, room: R) -> R:
        """Register a room built elsewhere (a snapshot); an existing room of that id wins and is returned."""
        if isinstance(room, LobbyRoom):
            return self._lobbies.setdefault(room.team_id, self._register(room))  # type: ignore[return-value]
        if isinstance(room, TrainingRoom):
            return self._trainings.setdefault(room.session_id, self._register(room))  # type: ignore[return-value]
        raise TypeError(f"not a room: {room!r}")

    async def load_lobby(self, team_id: int, create: bool) -> LobbyRoom | None:
        """The team's lobby from memory or its snapshot; a new one when `create` and there is none."""
        room = await self._load("lobby", team_id)
        if room is None and create:
            room = self.lobby(team_id)
        assert room is None or isinstance(room, LobbyRoom)
        return room

    async def load_training(self, session_id: str, create: bool) -> TrainingRoom | None:
        """The session's room from memory or its snapshot; a new one when `create` and there is none."""
        room = await self._load("training", session_id)
        if room is None and create:
            room = self.training(session_id)
        assert room is None or isinstance(room, TrainingRoom)
        return room

    async def _load(self, kind: RoomKind, room_id: int | str) -> Room | None:
        room = self.find(kind, room_id)
        if room is not None or self.loader is None:
            return room
        loaded = await self.loader(kind, str(room_id))
        # another request may have loaded or created the room while this one read the store
        return self.adopt(loaded) if loaded is not None else self.find(kind, room_id)

    def evict(self, room: Room) -> None:
        """Forget a room (its state is in its snapshot); a later load reads it back."""
        rooms: dict[Any, Any] = self._lobbies if isinstance(room, LobbyRoom) else self._trainings
        if rooms.get(room.id) is room:
            del rooms[room.id]

    def __iter__(self) -> Iterator[Room]:
        """Every room (a copy, safe while rooms are added)."""
        return iter([*self._lobbies.values(), *self._trainings.values()])

    def __len__(self) -> int:
        return len(self._lobbies) + len(self._trainings)

    async def assignments(self, session_id: str) -> dict[str, dict[str, Any] | None]:
        """Assignee user object (or None) by alias for a session; empty when it has no room."""
        room = await self.load_training(session_id, create=False)
        return room.assigned_users() if room is not None else {}

    async def load_problems(self, room: TrainingRoom) -> None:
        """Merge the provider's stored progress into a room once (merging never moves a status back)."""
        if room.problems_loaded or self.problem_states is None:
            return
        try:
            states = await self.problem_states(room.session_id)
        except Exception:  # stale progress is better than refusing the room; retried on next join
            log.exception("could not load problem states of session %s", room.session_id)
            return
        for alias, state in states.items():
            room.merge_problem(alias, state.status, state.attempts)
        room.problems_loaded = True
