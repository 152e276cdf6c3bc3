"""GET /metrics (Prometheus text format) with its access rule, and the middleware that times REST requests.

METRICS=local (the default) answers only peers on 127.0.0.1 or ::1 whose request was not forwarded
by a proxy (no Forwarded or X-Forwarded-For header: behind nginx on the same host every request
comes from loopback); METRICS=token requires `Authorization: Bearer <METRICS_TOKEN>`; METRICS=off
registers neither the route nor the timing.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_apigami import docs
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..config import Config
from ..domain.errors import Forbidden
from ..metrics import Metrics

_LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
_FORWARDED = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def may_read_metrics(request: web.Request, config: Config) -> bool:
    """The access rule of METRICS (see the module docstring)."""
    if config.metrics == "token":
        given = request.headers.get("Authorization", "")
        expected = f"Bearer {config.metrics_token}"
        return hmac.compare_digest(given.encode(), expected.encode())
    if config.metrics == "local":
        return request.remote in _LOOPBACK and not any(h in request.headers for h in _FORWARDED)
    return False


def metrics_view(metrics: Metrics, config: Config) -> Callable[[web.Request], object]:
    """The /metrics handler for this app's registry."""

    @docs(
        tags=["operations"],
        summary="Prometheus metrics (METRICS=local: loopback only; METRICS=token: Bearer METRICS_TOKEN)",
        responses={
            200: {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}},
            403: {"description": "not allowed to read the metrics"},
        },
    )
    async def view(request: web.Request) -> web.Response:
        """GET /metrics."""
        if not may_read_metrics(request, config):
            raise Forbidden("metrics are not available to this client (see METRICS)")
        return web.Response(body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return view


def timing_middleware(metrics: Metrics) -> Callable[..., object]:
    """Observe each REST request's handling time by method, route template and status."""
    observe = metrics.http_latency

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            # a WebSocket's handler ran for the socket's whole life: not a request time
            status = 101 if isinstance(response, web.WebSocketResponse) else response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            if status != 101:
                resource = request.match_info.route.resource
                route = resource.canonical if resource is not None else "unmatched"
                labels = observe.labels(request.method, route, str(status))
                labels.observe(time.perf_counter() - started)

    return middleware


def setup_metrics_routes(app: web.Application, metrics: Metrics, config: Config) -> None:
    """Register /metrics unless METRICS=off."""
    if config.metrics != "off":
        app.router.add_get("/metrics", metrics_view(metrics, config), allow_head=False)
