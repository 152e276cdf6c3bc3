"""Who may open a socket (docs/protocol.md, connecting): Origin, parameters, token or trust, membership."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from aiohttp import web

from schemas.common import WS_ID_DIGITS

from ..auth import ACCESS_COOKIE, token_from_header, token_hash
from ..config import Config
from ..contests.models import Contest
from ..domain.errors import Forbidden, NotFound, Unauthenticated
from ..domain.records import Team, TrainingSession, User
from ..origins import cookie_origin_allowed, origin_allowed
from ..services.access import AccessService


class Refused(Exception):
    """The handshake is refused; the socket is closed with 1008 and this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LobbyAdmission:
    """An admitted lobby connection."""

    user: User
    team: Team
    token_hash: str | None  # of the token it was opened with; None in AUTH_MODE=trust


@dataclass(frozen=True, slots=True)
class TrainingAdmission:
    """An admitted training-room connection."""

    user: User
    session: TrainingSession
    contest: Contest
    token_hash: str | None  # of the token it was opened with; None in AUTH_MODE=trust


def check_origin(request: web.Request, config: Config) -> None:
    """Refuse a browser page from an origin not in ALLOW_ORIGINS (our own is always allowed)."""
    if not origin_allowed(request.headers.get("Origin"), request.host, config.allow_origins):
        raise Refused("origin not allowed")


def int_param(request: web.Request, name: str) -> int:
    """A required query parameter of digits."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        raise Refused(f"missing {name}")
    if not raw.isascii() or not raw.isdigit() or len(raw) > WS_ID_DIGITS:
        raise Refused(f"bad {name}")
    return int(raw)


def uuid_param(request: web.Request, name: str) -> str:
    """A required query parameter holding a UUID, in canonical form."""
    raw = request.query.get(name)
    if not raw:
        raise Refused(f"missing {name}")
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise Refused(f"bad {name}") from None


def request_token(request: web.Request, config: Config) -> str | None:
    """The token of `?token=`, an `Authorization` header, or an `access_token` cookie, in that order.

    The cookie is ambient (any page's socket to us carries it), so it counts only from the server's
    own origin or one listed in ALLOW_ORIGINS (see server/origins.py).
    """
    explicit = request.query.get("token") or token_from_header(request.headers.get("Authorization"))
    if explicit:
        return explicit
    cookie = request.cookies.get(ACCESS_COOKIE) or None
    if cookie is not None and not cookie_origin_allowed(
        request.headers.get("Origin"), request.host, config.allow_origins
    ):
        raise Refused("origin not allowed for cookie authentication")
    return cookie


async def authenticate(request: web.Request, access: AccessService, config: Config) -> tuple[User, str | None]:
    """The connecting user and the hash of its token: the token's user, who must be `user_id`.

    In trust mode `user_id` itself, with no token.
    """
    user_id = int_param(request, "user_id")
    if config.auth_mode == "trust":
        user = await access.user_by_id(user_id)
        if user is None:
            raise Refused("unknown user")
        return user, None
    token = request_token(request, config)
    if token is None:
        raise Refused("missing token")
    try:
        user = await access.user_for_token(token)
    except Unauthenticated:
        raise Refused("invalid token") from None
    if user.id != user_id:
        raise Refused("user_id does not match the token")
    return user, token_hash(token)


async def admit_lobby(request: web.Request, access: AccessService, config: Config) -> LobbyAdmission:
    """Check everything for `/ws/lobby`; raises Refused."""
    check_origin(request, config)
    team_id = int_param(request, "team_id")
    user, used = await authenticate(request, access, config)
    try:
        team = await access.member_team(user, team_id)
    except NotFound:
        raise Refused("unknown team") from None
    except Forbidden:
        raise Refused("not a member of this team") from None
    return LobbyAdmission(user, team, used)


async def admit_training(request: web.Request, access: AccessService, config: Config) -> TrainingAdmission:
    """Check everything for `/ws/training`; raises Refused."""
    check_origin(request, config)
    session_id = uuid_param(request, "training_session_id")
    user, used = await authenticate(request, access, config)
    try:
        session = await access.member_session(user, session_id)
    except NotFound:
        raise Refused("unknown training session") from None
    except Forbidden:
        raise Refused("not a member of this session's team") from None
    try:
        contest = access.contest_of(session)
    except NotFound:
        raise Refused("the session's contest is not loaded") from None
    return TrainingAdmission(user, session, contest, used)
