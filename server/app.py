"""The application factory: create_app(config) wires services, routes, docs and CORS."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_cors
from aiohttp import web
from aiohttp_apigami import AiohttpApiSpec, OpenApiVersion, validation_middleware
from aiohttp_apigami.constants import APISPEC_PARSER, SWAGGER_DICT

from schemas.submissions import SubmissionFormSchema

from . import __doc__ as description
from .config import Config
from .contests.loader import load_catalog
from .events import Publisher
from .judge.judge import Judge
from .judging import JudgeService
from .keys import CONFIG, CONTESTS, EVENTS, JUDGE, SANDBOX_JUDGE, SESSIONS, STORE
from .middleware import ApiParser, error_middleware
from .sessions import SessionService
from .store import Store
from .views.comments import setup_comment_routes
from .views.contests import setup_contest_routes
from .views.health import setup_health_routes
from .views.rooms import setup_room_routes
from .views.sessions import setup_session_routes
from .views.submissions import setup_submission_routes
from .views.teams import setup_team_routes
from .views.users import setup_user_routes
from .ws.setup import setup_ws

log = logging.getLogger(__name__)

API_VERSION = "1.0.0"
_BODY_OVERHEAD = 64 * 1024  # multipart headers and form fields around a submitted source
_SYSTEM = tuple(Path(p) for p in ("/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/tmp", "/proc", "/dev"))


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the database and re-arm session timers; close both at the end."""
    config = app[CONFIG]
    store = await Store.open(config.db_path)
    app[STORE] = store
    sessions = SessionService(store, app[EVENTS])
    app[SESSIONS] = sessions
    await sessions.resume()
    log.info("database %s open", config.db_path)
    yield
    await sessions.close()
    await store.close()


def protected_paths(config: Config) -> list[Path]:
    """Folders a submission must never see: the working folder (sources, .env), the database and contests.

    Nested paths are dropped (hiding the outer one hides them) and system folders are never hidden.
    """
    candidates = {p.resolve() for p in (Path.cwd(), config.db_path.parent, config.contests_dir)}
    candidates = {p for p in candidates if p != Path("/") and not any(s.is_relative_to(p) for s in _SYSTEM)}
    return sorted(p for p in candidates if not any(p != q and p.is_relative_to(q) for q in candidates))


async def _sandbox_ctx(app: web.Application) -> AsyncIterator[None]:
    """Build the sandboxed judge (off the loop: it compiles its launcher) before anything else opens.

    With JUDGE_ISOLATION=strict and a sandbox layer missing it raises JudgeUnavailable, and the start stops
    before the database is open (aiohttp runs no cleanup for a start that failed).
    """
    config = app[CONFIG]
    judge = await asyncio.to_thread(
        Judge, protected_paths=protected_paths(config), workers=config.judge_workers, isolation=config.judge_isolation
    )
    log.info("judge isolation: %s", judge.isolation)
    log.info("judge readiness (JUDGE_ISOLATION=%s): %s", config.judge_isolation, judge.readiness.reason)
    app[SANDBOX_JUDGE] = judge
    yield
    await asyncio.to_thread(judge.close)


async def _judge_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the judging service (fair queue, run turns) over the sandboxed judge."""
    config = app[CONFIG]
    service = JudgeService(
        app[STORE], app[CONTESTS], app[EVENTS], app[SANDBOX_JUDGE], config.judge_workers, config.judge_queue_per_team
    )
    app[JUDGE] = service
    await service.start()
    yield
    await service.stop()


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
    # documented in the submit view's requestBody, which apigami does not scan for schemas
    api.spec.components.schema("SubmissionForm", schema=SubmissionFormSchema)
    api.register(app, in_place=True)
    for operations in app[SWAGGER_DICT]["paths"].values():
        for operation in operations.values():
            operation.pop("produces", None)  # apigami adds this Swagger 2 key; OpenAPI 3 has no such field
    app[APISPEC_PARSER] = ApiParser()  # our parser raises the SPEC §4 errors
    return api


def _setup_cors(app: web.Application, config: Config) -> None:
    options = aiohttp_cors.ResourceOptions(
        allow_credentials=True, expose_headers="*", allow_headers=("Authorization", "Content-Type"), max_age=3600
    )
    origins = ("*",) if config.any_origin else config.allow_origins
    cors = aiohttp_cors.setup(app, defaults={origin: options for origin in origins})
    for route in list(app.router.routes()):
        if route.method != "HEAD" and not route.resource.canonical.startswith(("/ws/", "/docs")):
            cors.add(route)


def create_app(config: Config) -> web.Application:
    """Build the whole application for a config; tests and `python -m server` share it."""
    app = web.Application(
        middlewares=[error_middleware, validation_middleware],
        client_max_size=config.max_code_bytes + _BODY_OVERHEAD,
    )
    app[CONFIG] = config
    app[EVENTS] = Publisher()
    app[CONTESTS] = load_catalog(config.contests_dir)
    app.cleanup_ctx.append(_sandbox_ctx)
    app.cleanup_ctx.append(_store_ctx)
    app.cleanup_ctx.append(_judge_ctx)
    setup_health_routes(app)
    setup_user_routes(app)
    setup_team_routes(app)
    setup_contest_routes(app)
    setup_session_routes(app)
    setup_submission_routes(app)
    setup_comment_routes(app)
    setup_ws(app)
    setup_room_routes(app)
    _setup_openapi(app)
    _setup_cors(app, config)
    return app
