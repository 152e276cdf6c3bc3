"""The event bus: services publish domain events, subscribers (room delivery, socket control) apply them.

Publishing is synchronous, so every room sees events in the order they were published, and a
failing subscriber is logged without failing the request that published (docs/architecture.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from .events import DomainEvent

log = logging.getLogger(__name__)

Subscriber = Callable[[DomainEvent], None]


class EventBus:
    """Fans each event out to every subscriber, in subscription order."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        """Register a callback that receives every event."""
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Remove a callback registered with subscribe()."""
        self._subscribers.remove(subscriber)

    def publish(self, event: DomainEvent) -> None:
        """Deliver one event to every subscriber; one failing subscriber never stops the rest."""
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:  # a delivery bug must not fail the REST call that published
                log.exception("event subscriber failed for %s", type(event).__name__)
