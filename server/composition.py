"""The framework-free part of the application: store, catalog, event bus, rooms and services, wired once.

create_app() builds this and puts the HTTP and WebSocket layers on top; tests build it alone to call
the services directly on a real store (docs/architecture.md, "start-up"). Nothing here imports aiohttp.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Protocol

from .config import Config
from .contests.archive import ArchiveLimits
from .contests.install import ContestInstaller
from .contests.loader import load_catalog
from .contests.models import ContestCatalog
from .contests.timelimits import TimeLimitCache
from .domain.bus import EventBus
from .judge.compilers import COMPILERS, CompilerInfo
from .judge.judge import Judge
from .rooms.archive import RoomArchive
from .rooms.registry import RoomRegistry
from .rooms.snapshots import Snapshotter
from .rooms.urgent import UrgentRooms
from .services import Services
from .services.access import AccessService
from .services.comments import CommentService
from .services.contest_admin import ContestAdminService
from .services.contests import ContestService
from .services.invites import InviteService
from .services.judging import JudgeBackend, JudgeService
from .services.rooms import RoomQueries
from .services.sessions import SessionService
from .services.standings import StandingsService
from .services.submissions import SubmissionService
from .services.teams import TeamService
from .services.throttle import AuthThrottle
from .services.users import UserService
from .startup import CONFIG_EXIT, StartupError
from .store import Store

_SYSTEM = tuple(Path(p) for p in ("/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/tmp", "/proc", "/dev"))


def protected_paths(config: Config) -> list[Path]:
    """Folders a submission must never see: the working folder (sources, .env), the database and contests.

    Nested paths are dropped (hiding the outer one hides them) and system folders are never hidden.
    """
    candidates = {p.resolve() for p in (Path.cwd(), config.db_path.parent, config.contests_dir)}
    candidates = {p for p in candidates if p != Path("/") and not any(s.is_relative_to(p) for s in _SYSTEM)}
    return sorted(p for p in candidates if not any(p != q and p.is_relative_to(q) for q in candidates))


class Instruments(Protocol):
    """What the core reports for monitoring (server.metrics.Metrics implements it)."""

    def snapshot_saved(self, seconds: float, rooms: int) -> None:
        """A room snapshot was written."""

    def judge_waited(self, seconds: float) -> None:
        """A submission left the judge queue after waiting this long."""


class NoInstruments:
    """Reports nowhere (tests and tools that build the core alone)."""

    def snapshot_saved(self, seconds: float, rooms: int) -> None:
        """Ignored."""

    def judge_waited(self, seconds: float) -> None:
        """Ignored."""


def _load_catalog(config: Config, time_limits: TimeLimitCache) -> ContestCatalog:
    """The contests at start; an unreadable CONTESTS_DIR stops the start with one line (broken packages do not)."""
    try:
        return load_catalog(config.contests_dir, time_limits)
    except OSError as exc:
        reason = f"{exc.strerror} ({exc.filename})" if exc.strerror else str(exc)
        raise StartupError("CONTESTS_DIR", f"cannot read the contests: {reason}", CONFIG_EXIT) from None


@dataclass(frozen=True, slots=True)
class Core:
    """Everything below the HTTP and WebSocket layers."""

    config: Config
    bus: EventBus
    catalog: ContestCatalog
    store: Store
    archive: RoomArchive
    registry: RoomRegistry
    snapshotter: Snapshotter
    installer: ContestInstaller
    compilers: dict[str, CompilerInfo]
    services: Services


def build_core(
    config: Config, judge: Callable[[], JudgeBackend] | None = None, instruments: Instruments | None = None
) -> Core:
    """Build the object graph for a config, each part given what it needs through its constructor.

    `judge` builds the sandboxed judge when the judge service starts (default: server.judge.Judge);
    `instruments` receives the timings /metrics exports.
    Nothing is opened or started here: the store opens and the workers start in the app's lifecycle.
    """
    bus = EventBus()
    time_limits = TimeLimitCache(config.db_path.parent / "timelimits.json")  # derived limits, next to the database
    instruments = instruments or NoInstruments()
    catalog = _load_catalog(config, time_limits)
    store = Store(config.db_path)

    archive = RoomArchive(store.snapshots)
    urgent = UrgentRooms()
    registry = RoomRegistry(archive, store.problem_states.of_session, urgent, config.max_room_code_bytes)
    snapshotter = Snapshotter(registry, archive, urgent, config.snapshot_interval, instruments.snapshot_saved)

    compilers = dict(COMPILERS)
    access = AccessService(store, catalog, config.admin_logins, timedelta(days=config.token_idle_days))
    backend = judge or partial(
        Judge, protected_paths=protected_paths(config), workers=config.judge_workers, isolation=config.judge_isolation
    )
    judging = JudgeService(
        store, catalog, bus, backend, config.judge_workers, config.judge_queue_per_team, instruments.judge_waited
    )
    upload_limits = ArchiveLimits(max_archive_bytes=config.max_upload_bytes)
    installer = ContestInstaller(catalog, config.contests_dir, time_limits, judge=judging.run, limits=upload_limits)
    services = Services(
        access=access,
        users=UserService(
            store,
            access,
            bus,
            AuthThrottle(config.auth_attempts_per_ip, config.auth_attempts_per_login),
            config.registration,
            config.max_tokens_per_user,
        ),
        invites=InviteService(store, access),
        teams=TeamService(store, access, bus, config.max_teams_per_user),
        contests=ContestService(store, catalog, registry, access, compilers),
        contest_admin=ContestAdminService(installer, access),
        sessions=SessionService(store, catalog, access, bus),
        submissions=SubmissionService(store, access, bus, judging, compilers, config.submissions_per_minute),
        comments=CommentService(store, access, bus),
        standings=StandingsService(store, access, bus),
        rooms=RoomQueries(registry, catalog, access),
        judging=judging,
    )
    return Core(config, bus, catalog, store, archive, registry, snapshotter, installer, compilers, services)
