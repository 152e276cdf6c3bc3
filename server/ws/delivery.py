"""Delivering domain events: each room that hears one applies it, then broadcasts its wire messages."""

from __future__ import annotations

from ..domain.events import DomainEvent
from ..rooms.registry import RoomRegistry
from .outbound import frames_for


class RoomDelivery:
    """An EventBus subscriber; synchronous, so every room keeps the order events were published in."""

    def __init__(self, registry: RoomRegistry) -> None:
        self._registry = registry

    def __call__(self, event: DomainEvent) -> None:
        """Apply the event to the rooms it concerns (that are in memory) and broadcast what it becomes."""
        applied: set[int] = set()
        for (kind, room_id), frame in frames_for(event):
            room = self._registry.find(kind, room_id)
            if room is None:
                continue  # nobody has it open; whoever opens it later reads the state from the store
            if id(room) not in applied:
                room.apply(event)
                applied.add(id(room))
            room.broadcast(frame)
