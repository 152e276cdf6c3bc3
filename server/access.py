"""Who is calling and what they may see: the access rules of SPEC §3 for REST views."""

from __future__ import annotations

from aiohttp import web

from .auth import ACCESS_COOKIE, token_from_header, user_for_token
from .contests.models import Contest, Problem
from .errors import Forbidden, NotFound, Unauthorized
from .keys import CONFIG, CONTESTS, STORE
from .origins import cookie_origin_allowed
from .store.sessions import TrainingSession
from .store.teams import Team
from .store.users import User

_USER = "trainer.user"


def cookie_token(request: web.Request) -> str | None:
    """The `access_token` cookie's token, refused (403) when a foreign page's request carries it.

    The original web client keeps its token in this cookie and, on some calls (comments), sends no
    Authorization header: with client and server on one origin the cookie authenticates it.
    """
    token = request.cookies.get(ACCESS_COOKIE) or None
    if token is None:
        return None
    origin, listed = request.headers.get("Origin"), request.app[CONFIG].allow_origins
    if not cookie_origin_allowed(origin, request.host, listed):
        raise Forbidden(
            "the access_token cookie is not accepted from this Origin; send an Authorization header",
            {"origin": origin},
        )
    return token


async def require_user(request: web.Request) -> User:
    """The caller, from `Authorization: OAuth|Bearer <token>` or the `access_token` cookie; 401 otherwise."""
    cached = request.get(_USER)
    if cached is not None:
        return cached
    token = token_from_header(request.headers.get("Authorization")) or cookie_token(request)
    if token is None:
        raise Unauthorized("missing or malformed Authorization header (use 'OAuth <token>' or 'Bearer <token>')")
    user = await user_for_token(request.app[STORE], token)
    if user is None:
        raise Unauthorized("unknown token")
    request[_USER] = user
    return user


async def member_team(request: web.Request, team_id: int) -> tuple[User, Team]:
    """The caller and a team they belong to; 404 unknown team, 403 not a member."""
    user = await require_user(request)
    team = await request.app[STORE].teams.get(team_id)
    if team is None:
        raise NotFound(f"team {team_id} does not exist", {"team_id": team_id})
    if not team.has_member(user.id):
        raise Forbidden(f"you are not a member of team {team_id}", {"team_id": team_id})
    return user, team


async def member_session(request: web.Request, session_id: str) -> tuple[User, TrainingSession]:
    """The caller and a session of one of their teams; 404 unknown, 403 not a member."""
    user = await require_user(request)
    session = await request.app[STORE].sessions.get(session_id)
    if session is None:
        raise NotFound(f"training session {session_id} does not exist", {"training_session_id": session_id})
    if not await request.app[STORE].teams.is_member(session.team_id, user.id):
        raise Forbidden("this training session belongs to another team", {"training_session_id": session_id})
    return user, session


def session_contest(request: web.Request, session: TrainingSession) -> Contest:
    """The contest a session plays; 404 when its package is no longer loaded."""
    contest = request.app[CONTESTS].get(session.contest_id)
    if contest is None:
        raise NotFound(f"contest {session.contest_id} is not loaded", {"contest_id": session.contest_id})
    return contest


async def member_problem(request: web.Request, session_id: str, alias: str) -> tuple[User, TrainingSession, Problem]:
    """The caller, their session and one problem of its contest; 404 for an alias not in the contest."""
    user, session = await member_session(request, session_id)
    problem = session_contest(request, session).problem(alias)
    if problem is None:
        raise NotFound(f"no problem {alias!r} in this contest", {"alias": alias})
    return user, session, problem
