"""Who is calling and what they may see: a user sees only their teams and those teams' sessions."""

from __future__ import annotations

from ..auth import token_hash
from ..contests.models import Contest, ContestCatalog, Problem
from ..domain.errors import Forbidden, NotFound, Unauthenticated
from ..domain.records import Team, TrainingSession, User
from ..store import Store


class AccessService:
    """Resolves tokens and checks membership; raises Unauthenticated, NotFound or Forbidden."""

    def __init__(self, store: Store, contests: ContestCatalog, admin_logins: tuple[str, ...] = ()) -> None:
        self._store = store
        self._contests = contests
        self._admins = frozenset(admin_logins)

    def is_admin(self, user: User) -> bool:
        """True for a user named in ADMIN_LOGINS."""
        return user.login in self._admins

    def require_admin(self, user: User) -> None:
        """Forbidden unless the user is an admin."""
        if not self.is_admin(user):
            raise Forbidden("only an admin (ADMIN_LOGINS) may do this")

    async def user_for_token(self, token: str | None) -> User:
        """The user a token belongs to; Unauthenticated for none or an unknown one."""
        if not token:
            raise Unauthenticated("missing or malformed Authorization header (use 'OAuth <token>' or 'Bearer <token>')")
        user = await self._store.users.by_token_hash(token_hash(token))
        if user is None:
            raise Unauthenticated("unknown token")
        return user

    async def user_by_id(self, user_id: int) -> User | None:
        """A user by id (the WebSocket handshake in AUTH_MODE=trust)."""
        return await self._store.users.get(user_id)

    async def member_team(self, user: User, team_id: int) -> Team:
        """A team the user belongs to; NotFound for an unknown team, Forbidden for another's."""
        team = await self._store.teams.get(team_id)
        if team is None:
            raise NotFound(f"team {team_id} does not exist", {"team_id": team_id})
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
