"""`GET /asyncapi.json`: the WebSocket protocol's AsyncAPI 3 document (the committed asyncapi.json, built here)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..asyncapi import build_document


class AsyncApiDocument:
    """Built on first request (it walks every schema), then served from memory."""

    def __init__(self) -> None:
        self._document: dict[str, Any] | None = None

    async def get(self, request: web.Request) -> web.Response:
        """GET /asyncapi.json."""
        if self._document is None:
            self._document = build_document()
        return web.json_response(self._document)


def setup_asyncapi_route(app: web.Application) -> None:
    """Serve the AsyncAPI document beside /openapi.json (a document route, not REST: not in OpenAPI)."""
    app.router.add_get("/asyncapi.json", AsyncApiDocument().get, name="docs.asyncapi")
