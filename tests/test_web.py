"""The web client is served at / and /web/* with ETags, 304, gzip and proper types, and shadows no other route."""

from __future__ import annotations

import gzip
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config
from server.views.web import default_web_root

from .support.api import Api, error_of

WEB = Path(__file__).parent.parent / "web"
NO_GZIP = {"Accept-Encoding": "identity"}


def vendor_bundle(prefix: str) -> str:
    """The hashed file name of a vendored bundle, as index.html's import map names it."""
    found = re.search(rf"/web/(vendor/{prefix}\.[0-9a-f]{{10}}\.js)", (WEB / "index.html").read_text())
    assert found, f"index.html names no {prefix} bundle"
    return found.group(1)


async def test_index_is_the_client_page(client: TestClient) -> None:
    resp = await client.get("/", headers=NO_GZIP)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.headers["Cache-Control"] == "no-cache"
    assert await resp.text() == (WEB / "index.html").read_text()
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp and "object-src 'none'" in csp


async def test_every_bundle_the_page_names_is_served(client: TestClient) -> None:
    page = await (await client.get("/")).text()
    urls = re.findall(r'(?:href|src)="(/web/[^"]+)"', page) + re.findall(r'"(/web/vendor/[^"]+)"', page)
    assert len(urls) >= 5
    for url in urls:
        resp = await client.get(url)
        assert resp.status == 200, url


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/web/app/main.js", "text/javascript; charset=utf-8"),
        ("/web/app.css", "text/css; charset=utf-8"),
        ("/web/favicon.svg", "image/svg+xml"),
    ],
)
async def test_content_types(client: TestClient, path: str, content_type: str) -> None:
    resp = await client.get(path)
    assert resp.status == 200 and resp.headers["Content-Type"] == content_type
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_etag_revalidation_answers_304(client: TestClient) -> None:
    first = await client.get("/web/app/main.js", headers=NO_GZIP)
    etag = first.headers["ETag"]
    again = await client.get("/web/app/main.js", headers={**NO_GZIP, "If-None-Match": etag})
    assert again.status == 304 and again.headers["ETag"] == etag and await again.read() == b""
    other = await client.get("/web/app/main.js", headers={**NO_GZIP, "If-None-Match": '"stale"'})
    assert other.status == 200


async def test_gzip_when_accepted(client: TestClient) -> None:
    bundle = vendor_bundle("editor")
    resp = await client.get(f"/web/{bundle}", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert resp.headers["Content-Encoding"] == "gzip" and resp.headers["Vary"] == "Accept-Encoding"
    raw = await resp.read()
    assert gzip.decompress(raw) == (WEB / bundle).read_bytes()
    assert len(raw) < len((WEB / bundle).read_bytes()) / 2
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = await client.get(f"/web/{bundle}", headers=NO_GZIP)
    assert "Content-Encoding" not in plain.headers and plain.headers["ETag"] != resp.headers["ETag"]
    # either representation's ETag revalidates: both name the same file version
    again = await client.get(f"/web/{bundle}", headers={**NO_GZIP, "If-None-Match": resp.headers["ETag"]})
    assert again.status == 304


async def test_head_answers_headers_only(client: TestClient) -> None:
    resp = await client.head("/web/app.css", headers=NO_GZIP)
    assert resp.status == 200 and resp.headers["Content-Length"] == str((WEB / "app.css").stat().st_size)


@pytest.mark.parametrize(
    "path",
    [
        "/web/nothing.js",
        "/web/vendor/rebuild/package.json",
        "/web/vendor/rebuild/build.sh",
        "/web/../server/app.py",
        "/web/%2e%2e/setup.cfg",
        "/web/app/",
    ],
)
async def test_unknown_and_private_files_are_json_404(client: TestClient, path: str) -> None:
    await error_of(await client.get(path), 404)


async def test_the_client_shadows_no_other_route(client: TestClient, api: Api) -> None:
    user = await api.register()
    assert (await client.get("/docs")).status == 200
    assert (await (await client.get("/openapi.json")).json())["openapi"].startswith("3.")
    assert (await (await client.get("/teams", headers=user.headers)).json()) == []
    assert (await client.get("/health/ping-application")).content_type == "application/json"
    await error_of(await client.get("/teams"), 401)
    await error_of(await client.post("/"), 405)
    ws = await client.ws_connect("/ws/lobby?team_id=1&user_id=1")
    msg = await ws.receive()
    assert msg.extra == "missing token" or ws.close_code == 1008
    await ws.close()


async def test_without_the_folder_the_page_is_a_json_404(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config, tmp_path: Path
) -> None:
    client = await aiohttp_client(create_app(config, web_root=tmp_path / "absent"))
    error = await error_of(await client.get("/"), 404)
    assert "not installed" in error["message"]


def test_default_root_is_the_checkout_folder() -> None:
    assert default_web_root() == WEB.resolve()


def test_routes_are_named_for_the_openapi_check(config: Config) -> None:
    app: web.Application = create_app(config)
    names = {r.name for r in app.router.routes() if r.name}
    assert {"web.index", "web.file"} <= names


def test_the_page_preloads_every_module_and_names_existing_bundles() -> None:
    page = (WEB / "index.html").read_text()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/web/([^"]+)">', page))
    modules = {p.relative_to(WEB).as_posix() for p in (WEB / "app").rglob("*.js")}
    assert modules <= preloaded, f"add to index.html: {sorted(modules - preloaded)}"
    assert all((WEB / name).is_file() for name in preloaded)
    for bundle in ("editor", "ui"):
        assert (WEB / vendor_bundle(bundle)).is_file()
    assert list((WEB / "vendor" / "licenses").glob("preact@*.txt")) and list(
        (WEB / "vendor" / "licenses").glob("htm@*")
    )
