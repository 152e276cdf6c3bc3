"""REST reads of live room state: who is online, the selected contest, code, control, compilers."""

from __future__ import annotations

from ..contests.models import ContestCatalog
from ..domain.records import User
from ..rooms.registry import RoomRegistry
from ..rooms.training import SessionFacts, TrainingRoom
from .access import AccessService


class RoomQueries:
    """Room state for a member of the room's team; rooms not in memory are read from their snapshots."""

    def __init__(self, rooms: RoomRegistry, catalog: ContestCatalog, access: AccessService) -> None:
        self._rooms = rooms
        self._catalog = catalog
        self._access = access

    async def lobby_users(self, user: User, team_id: int) -> list[User]:
        """Who is in the team's lobby now."""
        team = await self._access.member_team(user, team_id)
        room = await self._rooms.lobby(team.id, create=False)
        return room.users() if room is not None else []

    async def selected_contest(self, user: User, team_id: int) -> int | None:
        """The contest the team's lobby has selected."""
        team = await self._access.member_team(user, team_id)
        room = await self._rooms.lobby(team.id, create=False)
        return room.selected_contest_id if room is not None else None

    async def training_users(self, user: User, session_id: str) -> list[User]:
        """Who is in the session's room now."""
        room = await self._training(user, session_id)
        return room.users() if room is not None else []

    async def code(self, user: User, session_id: str, alias: str) -> str:
        """A problem's shared editor text ("" when nobody typed yet)."""
        room = await self._training(user, session_id, alias)
        return room.code.get(alias, "") if room is not None else ""

    async def controller(self, user: User, session_id: str) -> int | None:
        """Who holds control of the editor, if anyone."""
        room = await self._training(user, session_id)
        return room.controller_id if room is not None else None

    async def compiler(self, user: User, session_id: str, alias: str) -> str | None:
        """The compiler selected for a problem, if any."""
        room = await self._training(user, session_id, alias)
        return room.compilers.get(alias) if room is not None else None

    async def _training(self, user: User, session_id: str, alias: str | None = None) -> TrainingRoom | None:
        """The session's room after the access checks (and NotFound for an alias not in its contest)."""
        if alias is None:
            session = await self._access.member_session(user, session_id)
        else:
            session, _ = await self._access.member_problem(user, session_id, alias)
        contest = self._catalog.get(session.contest_id)  # a package removed since: the room still answers
        aliases = contest.problems if contest is not None else ()
        return await self._rooms.training(session.id, SessionFacts.of(session, aliases), create=False)
