"""Typed application keys for every shared service; no module-level mutable state elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .config import Config
from .contests.models import ContestCatalog
from .events import Publisher
from .store import Store

if TYPE_CHECKING:
    from .judge.judge import Judge
    from .judging import JudgeService
    from .rooms.registry import RoomRegistry
    from .sessions import SessionService
    from .ws.hub import WsHub

CONFIG = web.AppKey("config", Config)
STORE = web.AppKey("store", Store)
CONTESTS = web.AppKey("contests", ContestCatalog)
EVENTS = web.AppKey("events", Publisher)
SESSIONS: web.AppKey[SessionService] = web.AppKey("sessions")
ROOMS: web.AppKey[RoomRegistry] = web.AppKey("rooms")
JUDGE: web.AppKey[JudgeService] = web.AppKey("judge")
SANDBOX_JUDGE: web.AppKey[Judge] = web.AppKey("sandbox_judge")
WS_HUB: web.AppKey[WsHub] = web.AppKey("ws_hub")
