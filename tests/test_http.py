"""Health endpoints and CORS."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config


async def test_health(client: TestClient) -> None:
    for path in ("/health/ping-application", "/health/ping-database"):
        resp = await client.get(path)
        assert resp.status == 200 and await resp.json() == {"status": "ok"}


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
