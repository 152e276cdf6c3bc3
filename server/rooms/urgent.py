"""Rooms with a change that must be written at once (control, assignments, compilers, selected contest).

Rooms mark themselves through the registry; the snapshotter waits for marks and takes them. A
small object of its own, so neither reaches into the other's state.
"""

from __future__ import annotations

import asyncio

from .base import Room


class UrgentRooms:
    """A set of rooms to write soon, and an event that says it is not empty."""

    def __init__(self) -> None:
        self._rooms: set[Room] = set()
        self._marked = asyncio.Event()

    def mark(self, room: Room) -> None:
        """A room's change must survive a crash: write it as soon as possible."""
        self._rooms.add(room)
        self._marked.set()

    def take(self) -> list[Room]:
        """Every marked room, clearing the marks."""
        rooms, self._rooms = list(self._rooms), set()
        self._marked.clear()
        return rooms

    def put_back(self, rooms: list[Room]) -> None:
        """Rooms whose write failed: marked again for the next try."""
        for room in rooms:
            self.mark(room)

    def __bool__(self) -> bool:
        return bool(self._rooms)

    async def wait(self) -> None:
        """Until some room is marked."""
        await self._marked.wait()
