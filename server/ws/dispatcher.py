"""One dispatcher: rate limit, parse, validate the envelope and payload, route, turn failures into ERROR."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

import orjson
from marshmallow import ValidationError

from schemas.ws import EnvelopeSchema, validation_details

from ..config import Config
from ..contests.models import ContestCatalog
from ..domain.errors import RoomError
from ..judge.compilers import CompilerInfo
from ..rooms.lobby import LobbyRoom
from ..rooms.training import TrainingRoom
from ..store import Store
from . import const, messages
from .coalesce import Coalescer
from .connection import Connection
from .decorators import HandlerSpec, MessageContext, MessageHandler, Pending, spec_of
from .error_codes import error_code
from .limits import WsLimits
from .ratelimit import TokenBucket

log = logging.getLogger(__name__)

_MAX_ECHOED_TYPE = 64


class Dispatcher:
    """Routes each text frame to the handler registered for its type."""

    def __init__(self, handlers: Iterable[MessageHandler], limits: WsLimits) -> None:
        self._limits = limits
        self._routes: dict[str, tuple[HandlerSpec, MessageHandler]] = {}
        for handler in handlers:
            spec = spec_of(handler)
            if spec.type in self._routes:
                raise ValueError(f"two handlers for {spec.type}")
            self._routes[spec.type] = (spec, handler)
        self._envelope = EnvelopeSchema()
        self.rate_limited = 0  # frames refused RATE_LIMITED, for /metrics

    @property
    def types(self) -> frozenset[str]:
        """Every client message type with a handler."""
        return frozenset(self._routes)

    def context(
        self,
        conn: Connection,
        room: LobbyRoom | TrainingRoom,
        store: Store,
        contests: ContestCatalog,
        compilers: Mapping[str, CompilerInfo],
        config: Config,
    ) -> MessageContext:
        """A joined socket's context, with its own coalescer (one per socket, like its rate bucket)."""
        ctx = MessageContext(conn, room, store, contests, compilers, config)
        bucket = TokenBucket(self._limits.rate_per_second, self._limits.rate_burst)
        ctx.coalescer = Coalescer(bucket, self._limits.editor_flush_delay, partial(self._run_pending, ctx))
        return ctx

    async def dispatch(self, ctx: MessageContext, text: str) -> None:
        """Handle one text frame; anything invalid gets an ERROR to the sender alone.

        Messages of a coalesced type (CODE_EDITOR_UPDATE) have their own rate and are never refused
        for it (see coalesce.py); every other frame, invalid ones included, spends the socket's
        token bucket and is answered RATE_LIMITED beyond it.
        """
        conn = ctx.conn
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            if self._allowed(ctx):
                conn.send(messages.error(const.INVALID_JSON, "message is not valid JSON", {"reason": str(exc)}))
            return
        if not is_plain_envelope(data):
            if self._allowed(ctx):
                self._reject_envelope(conn, data)
            return
        type_ = data["type"]
        route = self._routes.get(type_)
        if route is not None and route[0].coalesce_by is not None and ctx.room.kind in route[0].rooms:
            await self._coalesce(ctx, route, data["payload"])
            return
        if not self._allowed(ctx):
            return
        if route is None:
            if type_ in const.SERVER_ONLY:
                conn.send(messages.error(const.FORBIDDEN, f"{type_} is sent by the server only", {}, type_))
            else:
                request_type = _echoed(type_)
                message = f"unknown message type {request_type!r}"
                conn.send(messages.error(const.UNKNOWN_TYPE, message, {}, request_type))
            return
        spec, handler = route
        if ctx.room.kind not in spec.rooms:
            conn.send(messages.error(const.UNKNOWN_TYPE, f"{type_} is not a {ctx.room.kind} message", {}, type_))
            return
        try:
            payload = spec.schema.load(data["payload"])
        except ValidationError as exc:
            conn.send(messages.error(const.INVALID_MESSAGE, "invalid payload", validation_details(exc), type_))
            return
        await self._run(ctx, spec, handler, payload)

    def _allowed(self, ctx: MessageContext) -> bool:
        """Spend a token of the socket's rate (messages other than coalesced ones); False and RATE_LIMITED when none."""
        if ctx.conn.bucket.take():
            return True
        self.rate_limited += 1
        ctx.conn.send(messages.error(const.RATE_LIMITED, "too many messages; slow down", {}))
        return False

    async def _coalesce(self, ctx: MessageContext, route: tuple[HandlerSpec, MessageHandler], raw: Any) -> None:
        """Load a state-replacing message, then apply it now or leave it to the socket's coalescer."""
        spec, handler = route
        try:
            payload = spec.schema.load(raw)
        except ValidationError as exc:
            if self._allowed(ctx):  # invalid ones cost a token: an error reply per frame is not free
                details = validation_details(exc)
                ctx.conn.send(messages.error(const.INVALID_MESSAGE, "invalid payload", details, spec.type))
            return
        key = (spec.type, payload[spec.coalesce_by])  # type: ignore[index]  # set: only coalesced specs come here
        if ctx.coalescer.admit(key, (spec, handler, payload)):
            await self._run(ctx, spec, handler, payload)

    async def _run_pending(self, ctx: MessageContext, pending: Pending) -> None:
        await self._run(ctx, *pending)

    @staticmethod
    async def _run(ctx: MessageContext, spec: HandlerSpec, handler: MessageHandler, payload: dict[str, Any]) -> None:
        """Call a handler; a broken rule becomes an ERROR to the sender, a bug an INTERNAL_ERROR."""
        try:
            await handler(ctx, payload)
        except RoomError as exc:
            ctx.conn.send(messages.error(error_code(exc), exc.message, exc.details, spec.type))
        except Exception:
            log.exception("handler of %s failed", spec.type)
            message = "internal error; the message was not applied"
            ctx.conn.send(messages.error(const.INTERNAL_ERROR, message, {}, spec.type))

    def _reject_envelope(self, conn: Connection, data: Any) -> None:
        """ERROR for a frame that is not `{type: str, payload: object}`, with EnvelopeSchema's messages."""
        try:
            self._envelope.load(data)
        except ValidationError as exc:
            details = validation_details(exc)
        else:  # not reached: EnvelopeSchema accepts only plain envelopes (tests/test_ws_units.py)
            details = {}
        type_ = data.get("type") if isinstance(data, dict) else None
        request_type = _echoed(type_) if isinstance(type_, str) else None
        conn.send(messages.error(const.INVALID_MESSAGE, "expected {type, payload}", details, request_type))


def _echoed(type_: str) -> str:
    """A type as an ERROR names it: a megabyte-long type must not come back as a megabyte-long error."""
    return type_[:_MAX_ECHOED_TYPE]


def is_plain_envelope(data: Any) -> bool:
    """True for a frame EnvelopeSchema would load unchanged: a dict with a str `type` and a dict `payload`.

    Such a frame skips the envelope load, whose outcome is known, and its payload still goes through
    its type's schema. The envelope load was 6 of the 16.5 µs dispatch() spent on a CODE_EDITOR_UPDATE
    (bench/README.md). Every other frame is one EnvelopeSchema rejects, and its messages become the
    ERROR's details (tests/test_ws_units.py checks both directions).
    """
    return type(data) is dict and type(data.get("type")) is str and type(data.get("payload")) is dict
