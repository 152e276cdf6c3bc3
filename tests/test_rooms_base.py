"""Room membership: capacity, replacement by the same user, leave semantics, broadcast order."""

from __future__ import annotations

import pytest

from server.rooms.errors import RoomFull
from server.rooms.lobby import LobbyRoom
from server.store.users import User


class FakePeer:
    """A connection stand-in that records what it was sent."""

    def __init__(self, user_id: int) -> None:
        self._user = User(user_id, f"u{user_id}", f"U{user_id}", "Test")
        self.sent: list[bytes] = []

    @property
    def user(self) -> User:
        return self._user

    def send(self, frame: bytes) -> None:
        self.sent.append(frame)


def test_capacity_counts_users_not_sockets() -> None:
    room = LobbyRoom(1)
    peers = [FakePeer(i) for i in (1, 2, 3)]
    for peer in peers:
        assert room.add(peer, capacity=3) is None
    with pytest.raises(RoomFull):
        room.add(FakePeer(4), capacity=3)
    again = FakePeer(2)
    assert room.add(again, capacity=3) is peers[1]  # a full room still lets a member reconnect
    assert room.peer_count == 3


def test_replacement_keeps_join_order_and_old_socket_leaves_nobody() -> None:
    room = LobbyRoom(1)
    a, b = FakePeer(1), FakePeer(2)
    room.add(a, 3)
    room.add(b, 3)
    a2 = FakePeer(1)
    room.add(a2, 3)
    assert [u["id"] for u in room.users()] == ["1", "2"]
    assert room.remove(a) is False  # the replaced socket closing is not a leave
    assert room.is_online(1)
    assert room.remove(a2) is True
    assert not room.is_online(1)
    assert room.remove(a2) is False


def test_broadcast_reaches_every_member_in_one_order() -> None:
    room = LobbyRoom(1)
    peers = [FakePeer(i) for i in (1, 2, 3)]
    for peer in peers:
        room.add(peer, 3)
    for frame in (b"a", b"b", b"c"):
        room.broadcast(frame)
    assert all(p.sent == [b"a", b"b", b"c"] for p in peers)


def test_broadcast_tolerates_a_member_leaving_during_fan_out() -> None:
    room = LobbyRoom(1)

    class Leaver(FakePeer):
        def send(self, frame: bytes) -> None:
            super().send(frame)
            room.remove(self)  # e.g. a connection that closes itself while being sent to

    leaver, other = Leaver(1), FakePeer(2)
    room.add(leaver, 3)
    room.add(other, 3)
    room.broadcast(b"x")
    assert leaver.sent == [b"x"] and other.sent == [b"x"]
    assert room.peer_count == 1
