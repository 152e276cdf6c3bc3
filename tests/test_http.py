"""Health endpoints and CORS."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config
from server.keys import STORE

from .support.api import Api, error_of


async def test_health(client: TestClient) -> None:
    resp = await client.get("/health/ping-database")
    assert resp.status == 200 and await resp.json() == {"status": "ok"}
    resp = await client.get("/health/ping-application")
    body = await resp.json()
    assert resp.status == 200 and body["status"] == "ok"
    assert set(body["judge"]) == {"isolation", "ready", "mode", "missing"}
    assert body["judge"]["mode"] == "auto" and isinstance(body["judge"]["ready"], bool)


async def test_cors_any_origin_allows_authorization(client: TestClient) -> None:
    resp = await client.options(
        "/user/me",
        headers={
            "Origin": "http://client.test",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "http://client.test"
    assert "AUTHORIZATION" in resp.headers["Access-Control-Allow-Headers"].upper()


async def test_cors_listed_origins_only(aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config) -> None:
    from dataclasses import replace

    client = await aiohttp_client(create_app(replace(config, allow_origins=("http://good.test",))))
    good = await client.get("/health/ping-application", headers={"Origin": "http://good.test"})
    assert good.headers.get("Access-Control-Allow-Origin") == "http://good.test"
    bad = await client.get("/health/ping-application", headers={"Origin": "http://evil.test"})
    assert "Access-Control-Allow-Origin" not in bad.headers


async def test_full_disk_is_503_then_recovers(client: TestClient) -> None:
    api = Api(client)
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    conn = client.app[STORE].db.conn
    async with conn.execute("PRAGMA page_count") as cur:
        (pages,) = await cur.fetchone()  # type: ignore[misc]
    await conn.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: a full disk
    url = f"/training-sessions/{ts}/problem/A/comments"
    for _ in range(100):
        resp = await client.post(url, json={"content": "x" * 10_000}, headers=alice.headers)
        if resp.status != 201:
            break
    assert (await error_of(resp, 503))["code"] == "STORAGE_UNAVAILABLE"
    await conn.execute("PRAGMA max_page_count = 1073741823")
    resp = await client.post(url, json={"content": "after"}, headers=alice.headers)
    assert resp.status == 201
