"""CORS: `*` lets any page read answers to calls carrying a token, never with the visitor's credentials."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config

from .support.ws import ClientFactory

PREFLIGHT = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "Authorization"}


async def _client(aiohttp_client: ClientFactory, config: Config, origins: tuple[str, ...]) -> TestClient:
    return await aiohttp_client(create_app(replace(config, allow_origins=origins)), cookie_jar=DummyCookieJar())


@pytest.mark.parametrize("method", ["OPTIONS", "GET"])
async def test_any_origin_is_never_combined_with_credentials(
    aiohttp_client: ClientFactory, config: Config, method: str
) -> None:
    client = await _client(aiohttp_client, config, ("*",))
    headers = {"Origin": "https://evil.example", **(PREFLIGHT if method == "OPTIONS" else {})}
    resp = await client.request(method, "/contests", headers=headers)
    assert resp.headers.get("Access-Control-Allow-Origin") in ("*", "https://evil.example")
    assert "Access-Control-Allow-Credentials" not in resp.headers
    if method == "OPTIONS":
        assert "AUTHORIZATION" in resp.headers["Access-Control-Allow-Headers"].upper()


async def test_listed_origins_get_credentials_and_others_nothing(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await _client(aiohttp_client, config, ("https://front.example", "*"))
    listed = await client.options("/contests", headers={"Origin": "https://front.example", **PREFLIGHT})
    assert listed.headers["Access-Control-Allow-Origin"] == "https://front.example"
    assert listed.headers["Access-Control-Allow-Credentials"] == "true"
    other = await client.get("/contests", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Credentials" not in other.headers

    only_listed = await _client(aiohttp_client, config, ("https://front.example",))
    resp = await only_listed.get("/contests", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers
