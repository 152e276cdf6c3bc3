"""Liveness of the application and of its database."""

from __future__ import annotations

import sqlite3

from aiohttp import web
from aiohttp_apigami import docs, response_schema

from schemas.common import ApplicationHealthSchema, ErrorSchema, StatusSchema

from ..http_errors import ServiceUnavailable, api_error_response
from ..keys import JUDGE, STORE
from .common import dump

_STATUS = StatusSchema()
_APPLICATION = ApplicationHealthSchema()


@docs(tags=["health"], summary="The application answers; `judge` says whether submissions are judged")
@response_schema(ApplicationHealthSchema, 200)
async def ping_application(request: web.Request) -> web.Response:
    """GET /health/ping-application: `status` is the application's; `judge.ready` false means 503 on submit."""
    return dump(_APPLICATION, {"status": "ok", "judge": request.app[JUDGE].health()})


@docs(tags=["health"], summary="The database answers a query and can take writes (no full disk)")
@response_schema(StatusSchema, 200)
@response_schema(ErrorSchema, 503, description="database unavailable or not writable")
async def ping_database(request: web.Request) -> web.Response:
    """GET /health/ping-database."""
    store = request.app[STORE]
    try:
        problem = None if await store.ping() else "database did not answer"
        problem = problem or await store.unwritable()
    except (sqlite3.Error, ValueError, OSError) as exc:
        problem = f"database did not answer: {exc}"
    if problem is not None:
        return api_error_response(ServiceUnavailable(problem, code="DATABASE_UNAVAILABLE"))
    return dump(_STATUS, "ok")


def setup_health_routes(app: web.Application) -> None:
    """Register the health routes."""
    app.router.add_get("/health/ping-application", ping_application)
    app.router.add_get("/health/ping-database", ping_database)
