"""The committed openapi.json matches the code, documents every route, and is served."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from server.openapi import DEFAULT_PATH, build_spec, render


def test_committed_openapi_has_not_drifted() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == render(build_spec()), "run `make openapi` and commit"


async def test_every_rest_route_is_documented(client: TestClient) -> None:
    spec = await (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    for route in client.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method in ("HEAD", "OPTIONS", "*") or path.startswith(("/docs", "/ws/")) or path == "/openapi.json":
            continue
        if route.name and route.name.startswith(("web.", "docs.")):  # the web client, /asyncapi.json: not REST
            continue
        assert (path, route.method) in documented, f"{route.method} {path} lacks OpenAPI docs"


async def test_swagger_ui_is_served(client: TestClient) -> None:
    resp = await client.get("/docs")
    assert resp.status == 200 and "swagger" in (await resp.text()).lower()
