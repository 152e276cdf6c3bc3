"""The application factory: create_app(config) wires services, routes, docs and CORS."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from aiohttp import web
from aiohttp_apigami import AiohttpApiSpec, OpenApiVersion, validation_middleware
from aiohttp_apigami.constants import APISPEC_PARSER, SWAGGER_DICT

from schemas.submissions import SubmissionFormSchema

from . import __doc__ as description
from .config import Config
from .contests.install import ContestInstaller
from .contests.loader import load_catalog, settle_pending
from .contests.timelimits import TimeLimitCache
from .cors import setup_cors
from .domain.bus import EventBus
from .judge.compilers import COMPILERS
from .judge.judge import Judge
from .keys import BUS, CONFIG, CONTEST_INSTALLER, CONTESTS, JUDGE, PROXIES, ROOMS, SERVICES, STORE, WS_HUB
from .middleware import ApiParser, error_middleware
from .proxy import ProxyTrust
from .rooms.archive import RoomArchive
from .rooms.registry import RoomRegistry
from .rooms.snapshots import Snapshotter
from .rooms.urgent import UrgentRooms
from .services import Services
from .services.access import AccessService
from .services.comments import CommentService
from .services.contests import ContestService
from .services.invites import InviteService
from .services.judging import JudgeService
from .services.rooms import RoomQueries
from .services.sessions import SessionService
from .services.standings import StandingsService
from .services.submissions import SubmissionService
from .services.teams import TeamService
from .services.throttle import AuthThrottle
from .services.users import UserService
from .store import Store
from .views.comments import setup_comment_routes
from .views.contests import setup_contest_routes
from .views.health import setup_health_routes
from .views.invites import setup_invite_routes
from .views.rooms import setup_room_routes
from .views.sessions import setup_session_routes
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
_BODY_OVERHEAD = 64 * 1024  # multipart headers and form fields around a submitted source
_SYSTEM = tuple(Path(p) for p in ("/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/tmp", "/proc", "/dev"))


def protected_paths(config: Config) -> list[Path]:
    """Folders a submission must never see: the working folder (sources, .env), the database and contests.

    Nested paths are dropped (hiding the outer one hides them) and system folders are never hidden.
    """
    candidates = {p.resolve() for p in (Path.cwd(), config.db_path.parent, config.contests_dir)}
    candidates = {p for p in candidates if p != Path("/") and not any(s.is_relative_to(p) for s in _SYSTEM)}
    return sorted(p for p in candidates if not any(p != q and p.is_relative_to(q) for q in candidates))


def _lifecycle(store: Store, sessions: SessionService) -> Callable[[web.Application], AsyncIterator[None]]:
    """Open the database and re-arm session timers; close both at the end."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await store.open()
        try:
            await sessions.resume()
            log.info("database %s open", store.db.path)
            yield
            await sessions.close()
        finally:
            await store.close()

    return ctx


def _judging(judging: JudgeService, installer: ContestInstaller) -> Callable[[web.Application], AsyncIterator[None]]:
    """Build the sandbox and run the judge's workers while the app serves.

    Contests whose time limits come from their accepted submissions are held back until the judge
    has measured them, right after it starts.
    """

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await judging.start()
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
    api.register(app, in_place=True)
    for operations in app[SWAGGER_DICT]["paths"].values():
        for operation in operations.values():
            operation.pop("produces", None)  # apigami adds this Swagger 2 key; OpenAPI 3 has no such field
    app[APISPEC_PARSER] = ApiParser()  # our parser raises the SPEC §4 errors
    return api


def create_app(config: Config, limits: WsLimits | None = None, web_root: Path | None = None) -> web.Application:
    """Build the whole application for a config; tests and `python -m server` share it.

    Every part is built here and handed what it needs through its constructor, in dependency order:
    the store, the catalog and the event bus; the rooms; the services; the WebSocket side; the routes
    (docs/architecture.md, "start-up"). `limits` are the WebSocket protocol's fixed limits (tests tighten them);
    `web_root` is the web client's folder (default: web/ of this checkout or of the working folder).
    """
    app = web.Application(
        middlewares=[error_middleware, validation_middleware],
        client_max_size=config.max_code_bytes + _BODY_OVERHEAD,
    )
    bus = EventBus()
    time_limits = TimeLimitCache(config.db_path.parent / "timelimits.json")  # derived limits, next to the database
    catalog = load_catalog(config.contests_dir, time_limits)
    store = Store(config.db_path)

    archive = RoomArchive(store.snapshots)
    urgent = UrgentRooms()
    registry = RoomRegistry(archive, store.problem_states.of_session, urgent, config.max_room_code_bytes)
    snapshotter = Snapshotter(registry, archive, urgent, config.snapshot_interval)

    access = AccessService(store, catalog, config.admin_logins, timedelta(days=config.token_idle_days))
    judging = JudgeService(
        store, catalog, bus, partial(Judge, protected_paths=protected_paths(config)), config.judge_workers
    )
    services = Services(
        access=access,
        users=UserService(
            store,
            access,
            AuthThrottle(config.auth_attempts_per_ip, config.auth_attempts_per_login),
            config.registration,
            config.max_tokens_per_user,
        ),
        invites=InviteService(store, access),
        teams=TeamService(store, access, bus, config.max_teams_per_user),
        contests=ContestService(store, catalog, registry, access, COMPILERS),
        sessions=SessionService(store, catalog, access, bus),
        submissions=SubmissionService(store, access, bus, judging, COMPILERS, config.submissions_per_minute),
        comments=CommentService(store, access, bus),
        standings=StandingsService(store, access, bus),
        rooms=RoomQueries(registry, catalog, access),
        judging=judging,
    )
    installer = ContestInstaller(catalog, config.contests_dir, time_limits, judge=judging.run)
    limits = limits or WsLimits()
    hub = WsHub(config, limits, registry, Dispatcher(DEFAULT_HANDLERS, limits))

    app[CONFIG] = config
    app[PROXIES] = ProxyTrust(config.trusted_proxies)
    app[STORE] = store
    app[CONTESTS] = catalog
    app[BUS] = bus
    app[SERVICES] = services
    app[ROOMS] = registry
    app[JUDGE] = judging
    app[WS_HUB] = hub
    app[CONTEST_INSTALLER] = installer

    app.cleanup_ctx.append(_lifecycle(store, services.sessions))
    app.cleanup_ctx.append(_judging(judging, installer))
    setup_health_routes(app)
    setup_user_routes(app)
    setup_invite_routes(app)
    setup_team_routes(app)
    setup_contest_routes(app)
    setup_session_routes(app)
    setup_submission_routes(app)
    setup_comment_routes(app)
    setup_room_routes(app)
    endpoints = SocketEndpoints(hub, access, store, catalog, COMPILERS)
    setup_ws(app, hub=hub, endpoints=endpoints, archive=archive, snapshotter=snapshotter, bus=bus)
    setup_web_routes(app, web_root)
    _setup_openapi(app)
    setup_cors(app, config)
    return app
