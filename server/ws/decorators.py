"""Registering message handlers: a decorator ties a handler to its type, schema and room kinds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

from ..config import Config
from ..contests.models import ContestCatalog
from ..judge.compilers import CompilerInfo
from ..rooms.base import RoomKind
from ..rooms.lobby import LobbyRoom
from ..rooms.training import TrainingRoom
from ..store import Store
from .coalesce import Coalescer
from .connection import Connection

_SPEC_ATTR = "ws_handler_spec"


@dataclass(slots=True)
class MessageContext:
    """What a handler may use: the sender's connection, its room and the app's services."""

    conn: Connection
    room: LobbyRoom | TrainingRoom
    store: Store
    contests: ContestCatalog
    compilers: Mapping[str, CompilerInfo]  # those the judge offers
    config: Config
    # this socket's coalesced messages (see coalesce.py); set by Dispatcher.context(), which builds contexts
    coalescer: Coalescer[Pending] = field(init=False)


MessageHandler = Callable[[MessageContext, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """A handler's message type, payload schema and the rooms it is valid in."""

    type: str
    schema: Schema
    rooms: frozenset[RoomKind]
    coalesce_by: str | None = None  # payload field: messages beyond the rate are coalesced per its value


# A coalesced message waiting to be applied: its handler's spec, the handler and the loaded payload.
Pending = tuple[HandlerSpec, MessageHandler, dict[str, Any]]


def ws_handler(
    type_: str,
    schema: type[Schema],
    rooms: Iterable[RoomKind] = ("lobby", "training"),
    coalesce_by: str | None = None,
) -> Callable[[MessageHandler], MessageHandler]:
    """Mark a coroutine as the handler of one client message type.

    With `coalesce_by`, a message replaces state (the latest one wins): beyond the rate limit it is
    coalesced per value of that payload field instead of refused (see coalesce.py).
    """
    spec = HandlerSpec(type_, schema(), frozenset(rooms), coalesce_by)

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
