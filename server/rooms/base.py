"""What every room has: its members (users, each with one or more sockets), a lock, a change counter."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from ..domain.errors import RoomFull
from ..domain.events import DomainEvent
from ..domain.records import User

RoomKind = Literal["lobby", "training"]

# 2: assignments hold user records (int ids) instead of wire user objects; version 1 rows still load.
SNAPSHOT_VERSION = 2
READABLE_VERSIONS = (1, 2)


class Peer(Protocol):
    """One live connection as a room sees it: who it is and how to hand it a frame."""

    @property
    def user(self) -> User:
        """The authenticated user of the connection."""
        ...

    def send(self, frame: Any) -> None:
        """Queue an encoded message (a frame the WebSocket layer built; opaque to the room); never blocks."""
        ...


@dataclass(frozen=True, slots=True)
class Admission:
    """What admitting a socket changed: whether its user just arrived, and sockets it pushed out."""

    first: bool  # the user's first socket here: the room announces USER_JOIN
    evicted: tuple[Peer, ...] = ()  # the user's oldest sockets beyond the per-user cap, already removed


class Room:
    """Members keyed by user id (join order), each with one or more sockets; changes bump `version`."""

    kind: ClassVar[RoomKind]

    def __init__(self, room_id: int | str) -> None:
        self.id = room_id
        self.lock = asyncio.Lock()  # held for changes, joins and the snapshot copy
        self.version = 0
        self._peers: dict[int, list[Peer]] = {}  # user id -> sockets, oldest first
        self._fanout: tuple[Peer, ...] = ()  # every socket, rebuilt on each join and leave, not per broadcast
        self.on_urgent: Callable[[Room], None] | None = None  # set by the registry: wakes the snapshotter
        self.pins = 0  # joins under way: a pinned room is never evicted from memory

    @property
    def key(self) -> tuple[str, str]:
        """(kind, room_id as text), the snapshot row key."""
        return self.kind, str(self.id)

    def add(self, peer: Peer, capacity: int, per_user: int = 1) -> Admission:
        """Admit a socket; raises RoomFull when a new user would exceed `capacity` distinct users.

        A user may hold up to `per_user` sockets (tabs, devices); beyond that the user's oldest ones
        are removed here and returned, for the caller to close.
        """
        user_id = peer.user.id
        sockets = self._peers.get(user_id)
        if sockets is None:
            if len(self._peers) >= capacity:
                raise RoomFull("room is full", {"capacity": capacity})
            sockets = self._peers[user_id] = []
        sockets.append(peer)
        cut = max(0, len(sockets) - max(1, per_user))
        evicted = tuple(sockets[:cut])
        del sockets[:cut]
        self._fanout = tuple(p for group in self._peers.values() for p in group)
        return Admission(first=len(sockets) == 1 and not evicted, evicted=evicted)

    def remove(self, peer: Peer) -> bool:
        """Drop a socket; True when it was its user's last one here (the user has left)."""
        user_id = peer.user.id
        sockets = self._peers.get(user_id)
        if sockets is None or peer not in sockets:
            return False
        sockets.remove(peer)
        if not sockets:
            del self._peers[user_id]
        self._fanout = tuple(p for group in self._peers.values() for p in group)
        return not sockets

    @contextlib.contextmanager
    def pinned(self) -> Iterator[None]:
        """Keep the room in memory across the awaits of a join (eviction skips pinned rooms)."""
        self.pins += 1
        try:
            yield
        finally:
            self.pins -= 1

    def peers_of(self, user_id: int) -> tuple[Peer, ...]:
        """The user's sockets here, oldest first (empty when not online)."""
        return tuple(self._peers.get(user_id, ()))

    @property
    def peer_count(self) -> int:
        """Number of live sockets."""
        return len(self._fanout)

    def users(self) -> list[User]:
        """Everyone online (each user once), in join order."""
        return [sockets[0].user for sockets in self._peers.values()]

    def broadcast(self, frame: Any) -> None:
        """Hand one encoded frame to every member; synchronous, so all members see one order."""
        for peer in self._fanout:
            peer.send(frame)

    def touch(self, urgent: bool = False) -> None:
        """Record a change that the next snapshot must write; an urgent one is written as soon as possible.

        Editor text may wait for the periodic snapshot (a crash loses at most one interval of typing);
        control, assignments, compilers and the selected contest are rare and must survive a crash.
        """
        self.version += 1
        if urgent and self.on_urgent is not None:
            self.on_urgent(self)

    def apply(self, event: DomainEvent) -> None:
        """Keep the room's own view current with a service's event, so a later ROOM_STATE agrees with it."""

    def snapshot(self) -> dict[str, Any]:
        """A copy of the durable state, safe to encode after the lock is released."""
        raise NotImplementedError

    def restore(self, state: Mapping[str, Any]) -> None:
        """Load a snapshot made by snapshot(); raises ValueError when it is malformed."""
        raise NotImplementedError


def check_snapshot(state: Any, fields: Mapping[str, type | tuple[type, ...]]) -> Mapping[str, Any]:
    """Validate a decoded snapshot's version and top-level field types; raises ValueError."""
    if not isinstance(state, Mapping):
        raise ValueError("snapshot is not an object")
    if state.get("v") not in READABLE_VERSIONS:
        raise ValueError(f"unsupported snapshot version {state.get('v')!r}")
    for name, kind in fields.items():
        if name not in state:
            raise ValueError(f"snapshot lacks {name}")
        value = state[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise ValueError(f"snapshot field {name} has the wrong type")
    return state


def check_str_map(value: Mapping[str, Any], what: str) -> dict[str, str]:
    """A {str: str} mapping from a snapshot; raises ValueError."""
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(f"snapshot field {what} must map strings to strings")
    return dict(value)
