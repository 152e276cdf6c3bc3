"""The built-in web client: `GET /` is its page and `/web/...` its files, with ETags, 304s and gzip.

The client is hash-routed (`/#/lobby/1`), so the server never needs a catch-all route that could shadow
the REST paths, `/docs`, `/openapi.json` or `/ws/*`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from ..webassets import Asset, accepts_gzip, if_none_match, inline_script_hashes, load_assets

# web/ beside the source tree (a checkout, an editable install), else web/ in the working folder (Docker's /app)
_SOURCE_WEB = Path(__file__).resolve().parents[2] / "web"
INDEX = "index.html"


def default_web_root() -> Path:
    """Where the client's files are: the checkout's web/ folder, or ./web for an installed copy."""
    return _SOURCE_WEB if _SOURCE_WEB.is_dir() else Path.cwd() / "web"


class WebAssets:
    """The client's files, loaded in a thread on first use and then served from memory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._assets: dict[str, Asset] | None = None
        self._csp = ""
        self._lock = asyncio.Lock()

    async def get(self, name: str) -> Asset | None:
        """The asset at a '/'-separated path, or None."""
        if self._assets is None:
            async with self._lock:
                if self._assets is None:
                    self._assets = await asyncio.to_thread(load_assets, self.root)
                    index = self._assets.get(INDEX)
                    scripts = " ".join(inline_script_hashes(index.body.decode())) if index else ""
                    self._csp = _csp(scripts)
        return self._assets.get(name)

    @property
    def csp(self) -> str:
        """The page's Content-Security-Policy (valid once get() has run)."""
        return self._csp


def _csp(inline_scripts: str) -> str:
    # statements are our own HTML, sanitised by the client; CodeMirror injects <style> elements
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {inline_scripts}".strip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'self'",
        )
    )


def _respond(request: web.Request, asset: Asset, extra: dict[str, str] | None = None) -> web.Response:
    """The asset, its gzip form when accepted, or 304 when the client's ETag is current."""
    use_gzip = asset.gzipped is not None and accepts_gzip(request.headers.get("Accept-Encoding"))
    etag = asset.gzip_etag if use_gzip else asset.etag
    headers = {
        "ETag": etag,
        "Cache-Control": asset.cache_control,
        "X-Content-Type-Options": "nosniff",
        **(extra or {}),
    }
    if asset.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    # either representation's tag is a match: both name the same file version
    if if_none_match(request.headers.get("If-None-Match"), (asset.etag, asset.gzip_etag)):
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = asset.content_type
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    body = asset.gzipped if use_gzip else asset.body
    return web.Response(body=body, headers=headers)


class WebClientRoutes:
    """GET / and GET /web/{path}, over one folder's assets."""

    def __init__(self, assets: WebAssets) -> None:
        self.assets = assets

    async def index(self, request: web.Request) -> web.Response:
        """GET / : the client's page."""
        assets = self.assets
        asset = await assets.get(INDEX)
        if asset is None:
            raise web.HTTPNotFound(reason=f"the web client is not installed (no {INDEX} in {assets.root})")
        return _respond(request, asset, {"Content-Security-Policy": assets.csp, "Referrer-Policy": "same-origin"})

    async def static_file(self, request: web.Request) -> web.Response:
        """GET /web/{path} : one of the client's files."""
        asset = await self.assets.get(request.match_info["path"])
        if asset is None:
            raise web.HTTPNotFound(reason="no such file in the web client")
        return _respond(request, asset)


def setup_web_routes(app: web.Application, root: Path | None = None) -> None:
    """Serve the web client at / and its files under /web/ (routes named web.*; not REST, not in OpenAPI)."""
    routes = WebClientRoutes(WebAssets(root or default_web_root()))
    app.router.add_get("/", routes.index, name="web.index")
    app.router.add_get("/web/{path:.+}", routes.static_file, name="web.file")
