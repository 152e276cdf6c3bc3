"""ICPC standings of a session's contest: every session of that contest is a row (docs/protocol.md)."""

from __future__ import annotations

from ..domain.records import User
from ..scoring import Attempt, Participant, Standings, standings
from ..store import Store
from .access import AccessService


class StandingsService:
    """Reads the contest's sessions and submissions and ranks them with server.scoring."""

    def __init__(self, store: Store, access: AccessService) -> None:
        self._store = store
        self._access = access

    async def of_session(self, user: User, session_id: str) -> Standings:
        """The standings of the contest one of the user's sessions plays."""
        session = await self._access.member_session(user, session_id)
        contest = self._access.contest_of(session)
        sessions = await self._store.sessions.of_contest(contest.id)
        names = await self._store.teams.names([s.team_id for s in sessions])
        participants = [Participant(s.id, names.get(s.team_id, f"team {s.team_id}")) for s in sessions]
        attempts = [
            Attempt(s.session_id, s.problem_alias, s.verdict, s.time_from_start, s.upsolving)
            for s in await self._store.submissions.of_contest(contest.id)
        ]
        titles = [(alias, p.name) for alias, p in contest.problems.items()]
        return standings(titles, participants, attempts)
