"""Who is calling and what they may see: a user sees only their teams and those teams' sessions.

Tokens expire after TOKEN_IDLE_DAYS without use. A token's last use is written coarsely (at most
once per TOUCH_EVERY per token, on the request that finds it older), so authenticating is a read,
not a write per request, and expiry is exact to within that interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from ..auth import token_hash
from ..clock import utcnow
from ..contests.models import Contest, ContestCatalog, Problem
from ..domain.errors import Forbidden, NotFound, Unauthenticated
from ..domain.records import Team, TrainingSession, User
from ..store import Store

DEFAULT_TOKEN_IDLE = timedelta(days=30)
TOUCH_EVERY = timedelta(hours=1)  # how stale a token's recorded last use may get before it is written again


class AccessService:
    """Resolves tokens, knows the admins and checks membership; raises Unauthenticated, NotFound or Forbidden."""

    def __init__(
        self,
        store: Store,
        contests: ContestCatalog,
        admin_logins: Iterable[str] = (),
        token_idle: timedelta = DEFAULT_TOKEN_IDLE,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._contests = contests
        self._admins = frozenset(admin_logins)
        self.token_idle = token_idle
        self._touch_every = min(TOUCH_EVERY, token_idle / 24)
        self._clock = clock

    async def user_for_token(self, token: str | None) -> User:
        """The user a token belongs to; Unauthenticated for none, an unknown, revoked or expired one."""
        if not token:
            raise Unauthenticated("missing or malformed Authorization header (use 'OAuth <token>' or 'Bearer <token>')")
        hashed = token_hash(token)
        stored = await self._store.users.token(hashed)
        if stored is None:
            raise Unauthenticated("unknown token")
        now = self._clock()
        idle = now - stored.last_used
        if idle > self.token_idle:
            await self._store.users.revoke_token(hashed)
            raise Unauthenticated(f"token expired after {self.token_idle.days} days unused; sign in again")
        if idle >= self._touch_every:
            await self._store.users.touch_token(hashed, now)
        return stored.user

    def is_admin(self, user: User) -> bool:
        """True for the users named in ADMIN_LOGINS (contest uploads, invite codes, removing any member)."""
        return user.login in self._admins

    def require_admin(self, user: User) -> None:
        """Forbidden unless the user is an admin."""
        if not self.is_admin(user):
            raise Forbidden("only an admin (ADMIN_LOGINS) may do this")

    async def team(self, team_id: int) -> Team:
        """A team whoever asks (for admins and invitees); NotFound for an unknown one."""
        team = await self._store.teams.get(team_id)
        if team is None:
            raise NotFound(f"team {team_id} does not exist", {"team_id": team_id})
        return team

    async def user_by_id(self, user_id: int) -> User | None:
        """A user by id (the WebSocket handshake in AUTH_MODE=trust)."""
        return await self._store.users.get(user_id)

    async def member_team(self, user: User, team_id: int) -> Team:
        """A team the user belongs to; NotFound for an unknown team, Forbidden for another's."""
        team = await self.team(team_id)
        if not team.has_member(user.id):
            raise Forbidden(f"you are not a member of team {team_id}", {"team_id": team_id})
        return team

    async def member_session(self, user: User, session_id: str) -> TrainingSession:
        """A session of one of the user's teams; NotFound for an unknown one, Forbidden for another team's."""
        session = await self._store.sessions.get(session_id)
        if session is None:
            raise NotFound(f"training session {session_id} does not exist", {"training_session_id": session_id})
        if not await self._store.teams.is_member(session.team_id, user.id):
            raise Forbidden("this training session belongs to another team", {"training_session_id": session_id})
        return session

    def contest_of(self, session: TrainingSession) -> Contest:
        """The contest a session plays; NotFound when its package is no longer loaded."""
        contest = self._contests.get(session.contest_id)
        if contest is None:
            raise NotFound(f"contest {session.contest_id} is not loaded", {"contest_id": session.contest_id})
        return contest

    async def member_problem(self, user: User, session_id: str, alias: str) -> tuple[TrainingSession, Problem]:
        """A session of the user's team and one problem of its contest; NotFound for another alias."""
        session = await self.member_session(user, session_id)
        problem = self.contest_of(session).problem(alias)
        if problem is None:
            raise NotFound(f"no problem {alias!r} in this contest", {"alias": alias})
        return session, problem
