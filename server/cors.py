"""CORS: which foreign pages may read our answers, and never a reflected arbitrary Origin with credentials.

`ALLOW_ORIGINS=*` lets any page call the API with a token it holds (an `Authorization` header),
but without credentials: the answer carries no `Access-Control-Allow-Credentials`, so a browser
neither sends the visitor's cookie on such a request nor lets the page read an answer made with it.
Origins listed by name are the operator's own front ends: they get credentials. The server's own
origin needs no CORS at all. WebSocket routes are not CORS routes (their Origin is checked in
server/ws/handshake.py and server/origins.py).
"""

from __future__ import annotations

import aiohttp_cors
from aiohttp import web

from .config import Config

_ALLOWED_HEADERS = ("Authorization", "Content-Type")
_MAX_AGE = 3600


def cors_options(config: Config) -> dict[str, aiohttp_cors.ResourceOptions]:
    """Per-origin options: `*` without credentials, each listed origin with them."""
    options = {}
    for origin in config.allow_origins:
        options[origin] = aiohttp_cors.ResourceOptions(
            allow_credentials=origin != "*",
            expose_headers="*",
            allow_headers=_ALLOWED_HEADERS,
            max_age=_MAX_AGE,
        )
    return options


def setup_cors(app: web.Application, config: Config) -> None:
    """Add CORS to every REST route (not the WebSocket endpoints, not the docs)."""
    cors = aiohttp_cors.setup(app, defaults=cors_options(config))
    for route in list(app.router.routes()):
        if route.method != "HEAD" and not route.resource.canonical.startswith(("/ws/", "/docs")):
            cors.add(route)
