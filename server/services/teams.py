"""Teams: create, list, invite, accept or decline, remove members, with the rules of who may.

Nobody joins a team without consent: naming someone at creation or adding them by login invites
them, and they become a member when they accept. Only the team's owner (its creator, or after the
creator left the longest-standing member) or an admin removes other members; anyone may leave.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

from ..clock import utcnow
from ..domain.bus import EventBus
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound, QuotaExceeded
from ..domain.events import MemberRemoved
from ..domain.records import Invitation, Team, TeamSummary, User
from ..store import Store
from ..store.teams import InvitationLimitReached, LastMember, TeamLimitReached
from .access import AccessService

MAX_PENDING_INVITATIONS = 20  # per team: a team cannot flood users with invitations


class TeamService:
    """Membership rules: only members see or change a team; the last member cannot leave; MAX_TEAMS_PER_USER."""

    def __init__(
        self,
        store: Store,
        access: AccessService,
        bus: EventBus,
        max_teams: int = 20,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._access = access
        self._bus = bus
        self.max_teams = max_teams
        self._clock = clock

    async def mine(self, user: User) -> list[TeamSummary]:
        """The user's teams, oldest first."""
        return await self._store.teams.of_user(user.id)

    async def create(self, user: User, name: str, member_logins: list[str]) -> Team:
        """A team whose only member and owner is its creator; the logins named are invited.

        Invalid when a login is unknown; QuotaExceeded when the creator is in MAX_TEAMS_PER_USER teams.
        """
        invitees, unknown = [], []
        for login in dict.fromkeys(member_logins):
            member = await self._store.users.by_login(login)
            if member is None:
                unknown.append(login)
            else:
                invitees.append(member.id)
        if unknown:
            raise Invalid("unknown member logins", {"fields": {"member_logins": unknown}})
        try:
            team_id = await self._store.teams.create(name.strip(), user.id, invitees, self._clock(), self.max_teams)
        except TeamLimitReached:
            raise self._too_many_teams() from None
        return await self._team(team_id)

    async def get(self, user: User, team_id: int) -> Team:
        """A team the user belongs to, with whom it invited."""
        team = await self._access.member_team(user, team_id)
        return await self._with_invited(team)

    async def add_member(self, user: User, team_id: int, login: str) -> Team:
        """Invite a user by login (any member may); they join when they accept.

        NotFound for an unknown login, Conflict for a member; inviting again changes nothing.
        """
        team = await self._access.member_team(user, team_id)
        invitee = await self._store.users.by_login(login)
        if invitee is None:
            raise NotFound(f"no user with login {login!r}", {"login": login})
        if team.has_member(invitee.id):
            raise Conflict(f"{login} is already a member of this team", {"login": login})
        try:
            await self._store.teams.invite(team.id, invitee.id, user.id, self._clock(), MAX_PENDING_INVITATIONS)
        except InvitationLimitReached:
            raise QuotaExceeded(
                f"this team already has {MAX_PENDING_INVITATIONS} invitations waiting for an answer",
                {"limit": MAX_PENDING_INVITATIONS},
            ) from None
        return await self._with_invited(team)

    async def withdraw_invitation(self, user: User, team_id: int, user_id: int) -> None:
        """A member takes back the team's invitation of a user; NotFound when there is none."""
        team = await self._access.member_team(user, team_id)
        if not await self._store.teams.withdraw(team.id, user_id):
            raise NotFound(f"user {user_id} has no invitation to team {team.id}", {"user_id": user_id})

    async def invitations(self, user: User) -> list[Invitation]:
        """The user's pending invitations, oldest first."""
        return await self._store.teams.invitations_of(user.id)

    async def accept(self, user: User, team_id: int) -> Team:
        """Join a team that invited the user; NotFound without an invitation, QuotaExceeded at MAX_TEAMS_PER_USER."""
        try:
            joined = await self._store.teams.accept(team_id, user.id, self.max_teams)
        except TeamLimitReached:
            raise self._too_many_teams() from None
        if not joined:
            raise NotFound(f"you have no invitation to team {team_id}", {"team_id": team_id})
        return await self._team(team_id)

    async def decline(self, user: User, team_id: int) -> None:
        """Refuse an invitation; NotFound when there is none."""
        if not await self._store.teams.withdraw(team_id, user.id):
            raise NotFound(f"you have no invitation to team {team_id}", {"team_id": team_id})

    async def remove_member(self, user: User, team_id: int, user_id: int) -> None:
        """Remove a member: anyone may leave, only the owner or an admin removes others.

        Their sockets lose access now. The last member cannot leave: a team nobody belongs to could
        never be reached again, nor its running session finished.
        """
        admin = self._access.is_admin(user)
        team = await (self._access.team(team_id) if admin else self._access.member_team(user, team_id))
        if user_id != user.id and user.id != team.owner_id and not admin:
            raise Forbidden(
                "only the team's owner (its creator) removes other members; you may leave",
                {"team_id": team.id, "owner_id": str(team.owner_id)},
            )
        if not team.has_member(user_id):
            raise NotFound(f"user {user_id} is not a member of team {team.id}")
        if len(team.members) == 1:
            raise Conflict("the last member cannot leave the team", {"team_id": team.id})
        try:
            removed = await self._store.teams.remove_member(team.id, user_id)
        except LastMember:  # a teammate left between the check above and this write
            raise Conflict("the last member cannot leave the team", {"team_id": team.id}) from None
        if not removed:
            raise NotFound(f"user {user_id} is not a member of team {team.id}")
        self._bus.publish(MemberRemoved(team.id, user_id))

    def _too_many_teams(self) -> QuotaExceeded:
        return QuotaExceeded(
            f"you already belong to {self.max_teams} teams (MAX_TEAMS_PER_USER); leave one first",
            {"limit": self.max_teams},
        )

    async def _with_invited(self, team: Team) -> Team:
        return dataclasses.replace(team, invited=tuple(await self._store.teams.invited(team.id)))

    async def _team(self, team_id: int) -> Team:
        team = await self._store.teams.get(team_id)
        assert team is not None  # just written in this request
        return await self._with_invited(team)
