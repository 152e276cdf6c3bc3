"""Fixtures: a real app on a temp SQLite file and small contest packages, plus an API helper."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config

from .packages import write_contest

_logins = itertools.count(1)


@pytest.fixture
def contests_dir(tmp_path: Path) -> Path:
    """Small contests: 1 (problems A, B; 5 hours), 2 (A; 1 hour), 3 (A; 1 second, for timers)."""
    root = tmp_path / "contests"
    root.mkdir()
    write_contest(root, 1, "Warm-up", 18000, "AB")
    write_contest(root, 2, "Short", 3600, "A")
    write_contest(root, 3, "Blitz", 1, "A")
    return root


@pytest.fixture
def config(tmp_path: Path, contests_dir: Path) -> Config:
    """A config on a fresh database in tmp_path."""
    return Config(
        db_path=tmp_path / "var" / "trainer.db",
        contests_dir=contests_dir,
        snapshot_interval=0.2,
        judge_workers=2,
    )


@pytest.fixture
async def client(aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config) -> TestClient:
    """A test client over the real application."""
    return await aiohttp_client(create_app(config))


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
        """A team created by owner with members."""
        resp = await self.client.post(
            "/teams", json={"name": name, "member_logins": [m.login for m in members]}, headers=owner.headers
        )
        assert resp.status == 201, await resp.text()
        return await resp.json()  # type: ignore[no-any-return]

    async def session(self, member: Account, team_id: int, contest_id: int = 1) -> dict[str, Any]:
        """Start (or get) the team's session."""
        resp = await self.client.post(
            "/training-sessions", json={"team_id": team_id, "contest_id": contest_id}, headers=member.headers
        )
        assert resp.status in (200, 201), await resp.text()
        return await resp.json()  # type: ignore[no-any-return]


@pytest.fixture
def api(client: TestClient) -> Api:
    """The API helper over the client."""
    return Api(client)


async def error_of(resp: Any, status: int) -> dict[str, Any]:
    """Assert a SPEC §4 JSON error with this status and return its inner object."""
    assert resp.status == status, await resp.text()
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]  # type: ignore[no-any-return]
