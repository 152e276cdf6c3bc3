"""REST helpers for tests: registered accounts, short set-up calls, error-body checks, recorded events."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import orjson
from aiohttp.test_utils import TestClient

from server.domain.events import DomainEvent
from server.keys import BUS
from server.ws.outbound import frames_for

_logins = itertools.count(1)


@dataclasses.dataclass
class Account:
    """A registered user with their token."""

    id: str
    login: str
    token: str
    user: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        """The web client's Authorization header."""
        return {"Authorization": f"OAuth {self.token}"}


class Api:
    """Short calls for test set-up; each asserts the expected status."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    async def register(self, login: str | None = None, **extra: Any) -> Account:
        """A new user."""
        login = login or f"user{next(_logins)}"
        resp = await self.client.post("/users", json={"login": login, "password": "secret-pw", **extra})
        assert resp.status == 201, await resp.text()
        body = await resp.json()
        return Account(body["user"]["id"], login, body["token"], body["user"])

    async def team(self, owner: Account, *members: Account, name: str = "Team") -> dict[str, Any]:
        """A team created by owner; the members are invited and accept, so all of them belong to it."""
        resp = await self.client.post(
            "/teams", json={"name": name, "member_logins": [m.login for m in members]}, headers=owner.headers
        )
        assert resp.status == 201, await resp.text()
        team: dict[str, Any] = await resp.json()
        for member in {m.id: m for m in members if m.id != owner.id}.values():
            resp = await self.client.post(f"/user/me/invitations/{team['id']}/accept", headers=member.headers)
            assert resp.status == 200, await resp.text()
            team = await resp.json()
        return team

    async def session(self, member: Account, team_id: int, contest_id: int = 1) -> dict[str, Any]:
        """Start (or get) the team's session."""
        resp = await self.client.post(
            "/training-sessions", json={"team_id": team_id, "contest_id": contest_id}, headers=member.headers
        )
        assert resp.status in (200, 201), await resp.text()
        return await resp.json()  # type: ignore[no-any-return]


async def error_of(resp: Any, status: int) -> dict[str, Any]:
    """Assert a JSON error body (docs/protocol.md) with this status and return its inner object."""
    assert resp.status == status, await resp.text()
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]  # type: ignore[no-any-return]


def record_events(client: TestClient) -> list[DomainEvent]:
    """Every domain event the app publishes from now on, in order."""
    events: list[DomainEvent] = []
    client.app[BUS].subscribe(events.append)
    return events


@dataclasses.dataclass(frozen=True)
class WireEvent:
    """One room message an event became: which room, and the message's type and payload."""

    room: str
    room_id: int | str
    type: str
    payload: dict[str, Any]


def wire_of(event: DomainEvent) -> list[WireEvent]:
    """The room messages a domain event becomes (server/ws/outbound.py), decoded."""
    out = []
    for (kind, room_id), frame in frames_for(event):
        message = orjson.loads(frame.payload)
        out.append(WireEvent(kind, room_id, message["type"], message["payload"]))
    return out


def record_wire(client: TestClient) -> list[WireEvent]:
    """Every room message the app's events become from now on, in order (without needing a socket)."""
    messages: list[WireEvent] = []
    client.app[BUS].subscribe(lambda event: messages.extend(wire_of(event)))
    return messages
