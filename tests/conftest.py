"""Fixtures: a real app on a temp SQLite file and small contest packages, an API helper, the bare store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config
from server.store import Store

from .support.api import Api
from .support.packages import write_contest
from .support.store import open_store


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
    """A test client over the real application; it keeps no cookies, so every call says who it is.

    (The server sets the access_token cookie at registration and login; a browser's jar is tested in
    tests/test_users.py and tests/browser/.)
    """
    return await aiohttp_client(create_app(config), cookie_jar=DummyCookieJar())


@pytest.fixture
def api(client: TestClient) -> Api:
    """The API helper over the client."""
    return Api(client)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """The real store on a fresh temp file, without the app (closed after the test)."""
    store = await open_store(tmp_path / "db" / "trainer.db")
    yield store
    await store.close()
