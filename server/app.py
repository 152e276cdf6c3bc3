"""The application factory: create_app(config) wires services, routes, docs and CORS."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aiohttp import web
from aiohttp_apigami import AiohttpApiSpec, OpenApiVersion, validation_middleware
from aiohttp_apigami.constants import APISPEC_PARSER, SWAGGER_DICT

from schemas.contests import UploadFormSchema
from schemas.submissions import SubmissionFormSchema

from . import __doc__ as description
from .composition import build_core
from .config import Config
from .connections import ConnectionGuard, connection_middleware
from .contests.install import ContestInstaller
from .contests.loader import settle_pending
from .cors import setup_cors
from .judge.isolation import JudgeUnavailable
from .judge.types import JudgeError
from .keys import (
    BUS,
    CONFIG,
    CONNECTIONS,
    CONTEST_INSTALLER,
    CONTESTS,
    JUDGE,
    METRICS,
    PROXIES,
    ROOMS,
    SERVICES,
    STORE,
    WS_HUB,
)
from .metrics import Metrics
from .middleware import ApiParser, error_middleware
from .proxy import ProxyTrust
from .resources import connection_cap, fd_limit
from .services.judging import JudgeService
from .services.sessions import SessionService
from .startup import CONFIG_EXIT, ENVIRONMENT_EXIT, StartupError
from .store import Store
from .store.database import SchemaTooNew
from .views.asyncapi import setup_asyncapi_route
from .views.comments import setup_comment_routes
from .views.contest_admin import setup_contest_admin_routes
from .views.contests import setup_contest_routes
from .views.health import setup_health_routes
from .views.invites import setup_invite_routes
from .views.metrics import setup_metrics_routes, timing_middleware
from .views.rooms import setup_room_routes
from .views.sessions import setup_session_routes
from .views.standings import setup_standings_routes
from .views.submissions import setup_submission_routes
from .views.teams import setup_team_routes
from .views.users import setup_user_routes
from .views.web import setup_web_routes
from .ws.dispatcher import Dispatcher
from .ws.handlers import DEFAULT_HANDLERS
from .ws.hub import WsHub
from .ws.limits import WsLimits
from .ws.setup import setup_ws
from .ws.views import SocketEndpoints

log = logging.getLogger(__name__)

API_VERSION = "1.0.0"
# client_max_size bounds the bodies read whole (JSON; multipart is streamed by views/forms.py with its own
# bounds): none the API takes is larger than a source file and a few fields around it
_BODY_OVERHEAD = 64 * 1024


def _lifecycle(store: Store, sessions: SessionService) -> Callable[[web.Application], AsyncIterator[None]]:
    """Open the database and re-arm session timers; close both at the end."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await _open_store(store)
        try:
            await sessions.resume()
            log.info("database %s open", store.db.path)
            yield
            await sessions.close()
        finally:
            await store.close()

    return ctx


async def _open_store(store: Store) -> None:
    """Open the database; a file that cannot be used stops the start with a line naming DB_PATH."""
    try:
        await store.open()
    except (OSError, sqlite3.Error, SchemaTooNew) as exc:
        busy = isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
        reason = f"{exc.strerror} ({exc.filename})" if isinstance(exc, OSError) and exc.strerror else str(exc)
        message = f"cannot open the database {store.db.path}: {reason}"
        raise StartupError("DB_PATH", message, ENVIRONMENT_EXIT if busy else CONFIG_EXIT) from None


def _judging(judging: JudgeService, installer: ContestInstaller) -> Callable[[web.Application], AsyncIterator[None]]:
    """Run the judge (its sandbox built by _sandbox) while the app serves.

    Contests whose time limits come from their accepted submissions are held back until the judge
    has measured them, right after it starts.
    """

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        try:
            await judging.start()
        except JudgeError as exc:
            raise StartupError("", f"the judge cannot start: {exc}") from None
        installer.settling = asyncio.create_task(
            settle_pending(installer.catalog, judging.run, installer.cache), name="settle-time-limits"
        )
        try:
            yield
        finally:
            installer.settling.cancel()
            await asyncio.gather(installer.settling, return_exceptions=True)
            await judging.stop()

    return ctx


def _sandbox(judging: JudgeService) -> Callable[[web.Application], AsyncIterator[None]]:
    """Build the sandboxed judge (off the loop: it compiles its launcher) before the database opens.

    With JUDGE_ISOLATION=strict and a sandbox layer missing it raises JudgeUnavailable and the start
    stops with nothing open behind it (aiohttp runs no cleanup for a start that failed).
    """

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        try:
            await judging.prepare()
        except JudgeUnavailable as exc:  # JUDGE_ISOLATION=strict and a sandbox layer is missing
            raise StartupError("JUDGE_ISOLATION", str(exc), CONFIG_EXIT) from None
        except JudgeError as exc:  # no sandbox at all (a compiler missing to build its launcher)
            raise StartupError("", f"the judge cannot start: {exc}") from None
        try:
            yield
        finally:
            await judging.close()

    return ctx


def _setup_openapi(app: web.Application) -> AiohttpApiSpec:
    api = AiohttpApiSpec(
        url="/openapi.json",
        swagger_path="/docs",
        static_path="/docs/static",
        title="Team Trainer",
        version=API_VERSION,
        openapi_version=OpenApiVersion.V303,
        info={"description": (description or "").strip()},
    )
    api.spec.components.security_scheme(
        "OAuth",
        {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`OAuth <token>` or `Bearer <token>`",
        },
    )
    api.spec.components.security_scheme(
        "Cookie",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": "access_token",
            "description": "the original web client's cookie; honoured only from the server's own origin, one "
            "listed in ALLOW_ORIGINS, or a request without Origin (403 otherwise)",
        },
    )
    # documented in the submit view's requestBody, which apigami does not scan for schemas
    api.spec.components.schema("SubmissionForm", schema=SubmissionFormSchema)
    api.spec.components.schema("UploadForm", schema=UploadFormSchema)
    api.register(app, in_place=True)
    for operations in app[SWAGGER_DICT]["paths"].values():
        for operation in operations.values():
            operation.pop("produces", None)  # apigami adds this Swagger 2 key; OpenAPI 3 has no such field
    app[APISPEC_PARSER] = ApiParser()  # our parser raises the JSON errors of docs/protocol.md
    return api


def create_app(config: Config, limits: WsLimits | None = None, web_root: Path | None = None) -> web.Application:
    """Build the whole application for a config; tests and `python -m server` share it.

    Every part is built here and handed what it needs through its constructor, in dependency order:
    the store, the catalog and the event bus; the rooms; the services; the WebSocket side; the routes
    (docs/architecture.md, "start-up"). `limits` are the WebSocket protocol's fixed limits (tests tighten them);
    `web_root` is the web client's folder (default: web/ of this checkout or of the working folder).
    """
    guard = ConnectionGuard(connection_cap(config.max_connections, fd_limit()), config.http_header_timeout)
    metrics = Metrics()
    timing = [timing_middleware(metrics)] if config.metrics != "off" else []
    app = web.Application(
        middlewares=[
            connection_middleware(guard, config.http_body_timeout),
            *timing,
            error_middleware,
            validation_middleware,
        ],
        client_max_size=config.max_code_bytes + _BODY_OVERHEAD,
    )
    core = build_core(config, instruments=metrics)
    store, services, registry = core.store, core.services, core.registry
    limits = limits or WsLimits()
    hub = WsHub(config, limits, registry, Dispatcher(DEFAULT_HANDLERS, limits))

    app[CONFIG] = config
    app[CONNECTIONS] = guard
    app[METRICS] = metrics
    app[PROXIES] = ProxyTrust(config.trusted_proxies)
    app[STORE] = store
    app[CONTESTS] = core.catalog
    app[BUS] = core.bus
    app[SERVICES] = services
    app[ROOMS] = registry
    app[JUDGE] = services.judging
    app[WS_HUB] = hub
    app[CONTEST_INSTALLER] = core.installer

    app.cleanup_ctx.append(_sandbox(services.judging))
    app.cleanup_ctx.append(_lifecycle(store, services.sessions))
    app.cleanup_ctx.append(_judging(services.judging, core.installer))
    setup_health_routes(app)
    setup_user_routes(app)
    setup_invite_routes(app)
    setup_team_routes(app)
    setup_contest_routes(app)
    setup_contest_admin_routes(app)
    setup_session_routes(app)
    setup_submission_routes(app)
    setup_standings_routes(app)
    setup_comment_routes(app)
    setup_room_routes(app)
    endpoints = SocketEndpoints(hub, services.access, store, core.catalog, core.compilers)
    setup_ws(app, hub=hub, endpoints=endpoints, archive=core.archive, snapshotter=core.snapshotter, bus=core.bus)
    setup_web_routes(app, web_root)
    setup_asyncapi_route(app)
    setup_metrics_routes(app, metrics, config)
    metrics.watch(hub, guard, registry, services.judging, core.snapshotter)
    core.bus.subscribe(metrics.on_event)
    _setup_openapi(app)
    setup_cors(app, config)
    return app
