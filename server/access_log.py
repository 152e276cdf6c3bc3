"""The optional access log (ACCESS_LOG=on): one line per request, with secrets in query strings masked.

WebSocket URLs carry the user's token as `?token=` (the web client cannot set headers on a socket),
so aiohttp's default format, which logs the full request line, would write every token to disk.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

_SECRET_KEYS = frozenset({"token", "access_token", "password", "invite", "code"})
MASK = "***"

logger = logging.getLogger("server.access")


def masked_target(request: BaseRequest) -> str:
    """The path and query of a request, with the values of secret-bearing parameters replaced by ***."""
    if not request.query_string:
        return request.path
    parts = []
    for key, value in request.query.items():
        shown = MASK if key.lower() in _SECRET_KEYS else quote(value, safe="")
        parts.append(f"{quote(key, safe='')}={shown}")
    return f"{request.path}?{'&'.join(parts)}"


class AccessLog(AbstractAccessLogger):
    """`REMOTE "METHOD TARGET" STATUS BYTES MS "USER-AGENT"` on the server.access logger."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Called by aiohttp once the response is sent."""
        self.logger.info(
            '%s "%s %s" %d %d %.1fms "%s"',
            request.remote or "-",
            request.method,
            masked_target(request),
            response.status,
            response.body_length,
            time * 1000,
            request.headers.get("User-Agent", "-")[:200],
        )
