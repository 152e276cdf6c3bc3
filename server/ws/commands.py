"""Registering message handlers: a decorator ties a handler to its type, schema and room kinds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema

from ..contests.models import ContestCatalog
from ..events import RoomKind
from ..rooms.lobby import LobbyRoom
from ..rooms.training import TrainingRoom
from ..store import Store
from .connection import Connection
from .settings import WsSettings

_SPEC_ATTR = "ws_handler_spec"


@dataclass(slots=True)
class MessageContext:
    """What a handler may use: the sender's connection, its room and the app's services."""

    conn: Connection
    room: LobbyRoom | TrainingRoom
    store: Store
    contests: ContestCatalog
    settings: WsSettings


MessageHandler = Callable[[MessageContext, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """A handler's message type, payload schema and the rooms it is valid in."""

    type: str
    schema: Schema
    rooms: frozenset[RoomKind]


def ws_handler(
    type_: str, schema: type[Schema], rooms: Iterable[RoomKind] = ("lobby", "training")
) -> Callable[[MessageHandler], MessageHandler]:
    """Mark a coroutine as the handler of one client message type."""
    spec = HandlerSpec(type_, schema(), frozenset(rooms))

    def decorate(handler: MessageHandler) -> MessageHandler:
        setattr(handler, _SPEC_ATTR, spec)
        return handler

    return decorate


def spec_of(handler: MessageHandler) -> HandlerSpec:
    """The spec a handler was registered with; raises TypeError for an undecorated function."""
    spec = getattr(handler, _SPEC_ATTR, None)
    if not isinstance(spec, HandlerSpec):
        raise TypeError(f"{handler!r} is not decorated with @ws_handler")
    return spec
