"""Delivering the services' RoomEvents (server/events.py) to the room they name, if it exists."""

from __future__ import annotations

from ..events import RoomEvent
from ..rooms.registry import RoomRegistry
from ..rooms.training import TrainingRoom
from . import const, messages


def _apply(room: TrainingRoom, event: RoomEvent) -> None:
    """Keep the room's own view current, so a later ROOM_STATE agrees with what was broadcast."""
    payload = event.payload
    if event.type in (const.TRAINING_FINISHED, const.CONTEST_FINISHED):
        room.finish()
        return
    alias = payload.get("problemAlias")
    if not isinstance(alias, str):
        return
    if event.type == const.PROBLEM_STATUS_UPDATED and isinstance(payload.get("status"), str):
        room.merge_problem(alias, status=payload["status"])
    elif event.type == const.PROBLEM_ATTEMPTS_UPDATED and isinstance(payload.get("attempts"), int):
        room.merge_problem(alias, attempts=payload["attempts"])


def deliver(registry: RoomRegistry, event: RoomEvent) -> None:
    """Publisher subscriber: broadcast the event in its room (synchronously, so order is kept)."""
    room = registry.find(event.room, event.room_id)
    if room is None:
        return  # nobody ever opened it; whoever opens it later reads the state from the store
    if isinstance(room, TrainingRoom):
        _apply(room, event)
    room.broadcast(messages.encode(event.type, event.payload))
