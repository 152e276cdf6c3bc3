"""Teams: create, list, add and remove members, with the rules of who may."""

from __future__ import annotations

from ..domain.bus import EventBus
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.events import MemberRemoved
from ..domain.records import Team, TeamSummary, User
from ..store import Store
from .access import AccessService


class TeamService:
    """Membership rules: only members see or change a team; the last member cannot leave."""

    def __init__(self, store: Store, access: AccessService, bus: EventBus) -> None:
        self._store = store
        self._access = access
        self._bus = bus

    async def mine(self, user: User) -> list[TeamSummary]:
        """The user's teams, oldest first."""
        return await self._store.teams.of_user(user.id)

    async def create(self, user: User, name: str, member_logins: list[str]) -> Team:
        """A team whose first member is its creator; Invalid when a login is unknown."""
        member_ids, unknown = [], []
        for login in member_logins:
            member = await self._store.users.by_login(login)
            if member is None:
                unknown.append(login)
            else:
                member_ids.append(member.id)
        if unknown:
            raise Invalid("unknown member logins", {"fields": {"member_logins": unknown}})
        return await self._team(await self._store.teams.create(name.strip(), user.id, member_ids))

    async def get(self, user: User, team_id: int) -> Team:
        """A team the user belongs to."""
        return await self._access.member_team(user, team_id)

    async def add_member(self, user: User, team_id: int, login: str) -> Team:
        """Add a user by login (any member may); NotFound for an unknown login."""
        team = await self._access.member_team(user, team_id)
        member = await self._store.users.by_login(login)
        if member is None:
            raise NotFound(f"no user with login {login!r}", {"login": login})
        await self._store.teams.add_member(team.id, member.id)
        return await self._team(team.id)

    async def remove_member(self, user: User, team_id: int, user_id: int) -> None:
        """Remove a member (any member may, themself included); their sockets lose access now.

        The last member cannot leave: a team nobody belongs to could never be reached again, nor its
        running session finished.
        """
        team = await self._access.member_team(user, team_id)
        if not team.has_member(user_id):
            raise NotFound(f"user {user_id} is not a member of team {team.id}")
        if len(team.members) == 1:
            raise Conflict("the last member cannot leave the team", {"team_id": team.id})
        if not await self._store.teams.remove_member(team.id, user_id):
            raise NotFound(f"user {user_id} is not a member of team {team.id}")
        self._bus.publish(MemberRemoved(team.id, user_id))

    async def _team(self, team_id: int) -> Team:
        team = await self._store.teams.get(team_id)
        assert team is not None  # just written in this request
        return team
