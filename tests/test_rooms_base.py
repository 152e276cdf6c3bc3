"""Room membership: capacity in users, several sockets per user, leave semantics, broadcast order."""

from __future__ import annotations

import pytest

from server.domain.errors import RoomFull
from server.domain.records import User
from server.rooms.base import Admission
from server.rooms.lobby import LobbyRoom


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
        assert room.add(peer, capacity=3, per_user=4) == Admission(first=True)
    with pytest.raises(RoomFull):
        room.add(FakePeer(4), capacity=3, per_user=4)
    again = FakePeer(2)
    assert room.add(again, capacity=3, per_user=4) == Admission(first=False)  # a full room still takes a tab
    assert room.peer_count == 4 and len(room.users()) == 3
    assert room.peers_of(2) == (peers[1], again)


def test_tabs_keep_join_order_and_only_the_last_one_leaves() -> None:
    room = LobbyRoom(1)
    a, b, a2 = FakePeer(1), FakePeer(2), FakePeer(1)
    room.add(a, 3, 4)
    room.add(b, 3, 4)
    room.add(a2, 3, 4)
    assert [u.id for u in room.users()] == [1, 2]
    room.broadcast(b"x")
    assert a.sent == a2.sent == b.sent == [b"x"]
    assert room.remove(a) is False  # one tab closing is not a leave
    assert room.peers_of(1) == (a2,)
    assert room.remove(a2) is True
    assert room.peers_of(1) == ()
    assert room.remove(a2) is False


def test_the_oldest_sockets_beyond_the_per_user_cap_are_pushed_out() -> None:
    room = LobbyRoom(1)
    tabs = [FakePeer(1) for _ in range(3)]
    assert room.add(tabs[0], 3, per_user=2) == Admission(first=True)
    assert room.add(tabs[1], 3, per_user=2) == Admission(first=False)
    assert room.add(tabs[2], 3, per_user=2) == Admission(first=False, evicted=(tabs[0],))
    assert room.peers_of(1) == (tabs[1], tabs[2])
    assert room.remove(tabs[0]) is False  # the pushed-out socket closing later is not a leave
    room.broadcast(b"y")
    assert tabs[0].sent == [] and tabs[2].sent == [b"y"]
    single = LobbyRoom(2)
    first, second = FakePeer(5), FakePeer(5)
    single.add(first, 3, per_user=1)
    assert single.add(second, 3, per_user=1) == Admission(first=False, evicted=(first,))


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
