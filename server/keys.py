"""Typed application keys of everything create_app builds; no module-level mutable state elsewhere."""

from __future__ import annotations

from aiohttp import web

from .config import Config
from .contests.install import ContestInstaller
from .contests.models import ContestCatalog
from .domain.bus import EventBus
from .proxy import ProxyTrust
from .rooms.registry import RoomRegistry
from .services import Services
from .services.judging import JudgeService
from .store import Store
from .ws.hub import WsHub

CONFIG = web.AppKey("config", Config)
STORE = web.AppKey("store", Store)
CONTESTS = web.AppKey("contests", ContestCatalog)
BUS = web.AppKey("bus", EventBus)
SERVICES = web.AppKey("services", Services)
ROOMS = web.AppKey("rooms", RoomRegistry)
JUDGE = web.AppKey("judge", JudgeService)
WS_HUB = web.AppKey("ws_hub", WsHub)
CONTEST_INSTALLER = web.AppKey("contest_installer", ContestInstaller)
PROXIES = web.AppKey("proxies", ProxyTrust)
