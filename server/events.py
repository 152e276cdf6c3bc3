"""The one internal publish interface: services announce room events, rooms deliver them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

RoomKind = Literal["lobby", "training"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RoomEvent:
    """A server-originated message for every member of one room."""

    room: RoomKind
    room_id: int | str  # team id for a lobby, session UUID string for a training room
    type: str
    payload: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[RoomEvent], None]


class Publisher:
    """Fans events out to subscribers synchronously, so room order follows publish order."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        """Register a callback that receives every event."""
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Remove a callback registered with subscribe()."""
        self._subscribers.remove(subscriber)

    def publish(self, event: RoomEvent) -> None:
        """Deliver one event to every subscriber; one failing subscriber never stops the rest."""
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:  # a delivery bug must not fail the REST call that published
                log.exception("event subscriber failed for %s", event.type)

    def to_lobby(self, team_id: int, type_: str, payload: dict[str, Any]) -> None:
        """Publish to a team's lobby."""
        self.publish(RoomEvent("lobby", team_id, type_, payload))

    def to_training(self, session_id: str, type_: str, payload: dict[str, Any]) -> None:
        """Publish to a training session's room."""
        self.publish(RoomEvent("training", session_id, type_, payload))
