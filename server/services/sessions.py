"""Training sessions: start, find, finish by hand or by the contest's timer, participation times."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from ..clock import utcnow
from ..contests.models import ContestCatalog
from ..domain.bus import EventBus
from ..domain.errors import NotFound
from ..domain.events import SessionFinished, SessionStarted
from ..domain.records import Participation, TrainingSession, User
from ..store import Store
from ..store.sessions import AlreadyRunning
from .access import AccessService

log = logging.getLogger(__name__)


def participation(session: TrainingSession, now: datetime) -> Participation:
    """Start, finish and seconds left of a session's virtual participation.

    The finish is the session's end, or the moment it was finished if that was earlier.
    """
    finish = session.dt_finished if session.dt_finished and session.dt_finished < session.ends_at else session.ends_at
    over = session.over_at(now)
    left = 0 if over else max(0, int((session.ends_at - now).total_seconds()))
    return Participation(session.dt_created, finish, left, over)


class SessionService:
    """Starts and finishes sessions, keeps one timer per running session, publishes SessionStarted/Finished."""

    def __init__(self, store: Store, catalog: ContestCatalog, access: AccessService, bus: EventBus) -> None:
        self._store = store
        self._catalog = catalog
        self._access = access
        self._bus = bus
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._finishing: set[asyncio.Task[TrainingSession]] = set()

    # -- use cases ----------------------------------------------------------------------------------------------

    async def start(self, user: User, team_id: int, contest_id: int) -> tuple[TrainingSession, bool]:
        """The team's running session (False), whatever its contest, or a new one (True); announced either way.

        Announced again when already running: the web client moves only on SessionStarted's message, so a
        teammate who went back to the lobby follows the team into the running session.
        """
        team = await self._access.member_team(user, team_id)
        contest = self._catalog.get(contest_id)
        if contest is None:
            raise NotFound(f"contest {contest_id} does not exist", {"contest_id": contest_id})
        while True:
            running = await self._running(team.id)
            if running is not None:
                self._bus.publish(SessionStarted(running))
                return running, False
            try:
                session = await self._store.sessions.create(team.id, contest.id, utcnow(), contest.duration)
                break
            except AlreadyRunning:  # a concurrent request won the race: answer with its session
                continue
        self._arm(session)
        self._bus.publish(SessionStarted(session))
        return session, True

    async def find(self, user: User, team_id: int, contest_id: int) -> TrainingSession:
        """The latest session of one of the user's teams on a contest."""
        team = await self._access.member_team(user, team_id)
        session = await self._store.sessions.latest(team.id, contest_id)
        if session is None:
            raise NotFound("no session of this team on this contest", {"team_id": team_id, "contest_id": contest_id})
        return session

    async def get(self, user: User, session_id: str) -> TrainingSession:
        """One of the user's sessions."""
        return await self._access.member_session(user, session_id)

    async def reconnect(self, user: User, team_id: int) -> TrainingSession:
        """The team's session in process, to go back to; one whose time ran out is finished first."""
        team = await self._access.member_team(user, team_id)
        session = await self._running(team.id)
        if session is None:
            raise NotFound(f"team {team.id} has no session in process", {"team_id": team.id})
        return session

    async def complete(self, user: User, session_id: str) -> TrainingSession:
        """A member finishes the session: SessionFinished, published again when it was already over.

        The web client leaves the workspace only on that event; after CONTEST_FINISHED (or a teammate's
        finish) its "back to the lobby" dialog calls this and waits for it.
        """
        session = await self._access.member_session(user, session_id)
        finished, changed = await self._finish(session, expired=False)
        if not changed:
            self._bus.publish(SessionFinished(finished, expired=False))
        return finished

    async def participation(self, user: User, session_id: str) -> Participation:
        """Start, finish and seconds left of one of the user's sessions."""
        return participation(await self._access.member_session(user, session_id), utcnow())

    # -- lifecycle ----------------------------------------------------------------------------------------------

    async def resume(self) -> None:
        """At start: finish sessions whose time ran out while down, re-arm the others."""
        now = utcnow()
        for session in await self._store.sessions.all_running():
            if session.ends_at <= now:
                await self._finish(session, expired=True)
            else:
                self._arm(session)

    async def close(self) -> None:
        """Cancel timers and wait for finishes already under way."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._finishing:
            await asyncio.gather(*self._finishing, return_exceptions=True)

    # -- internals ----------------------------------------------------------------------------------------------

    async def _running(self, team_id: int) -> TrainingSession | None:
        """The team's session in process; one whose time ran out is finished first (its timer may have failed)."""
        session = await self._store.sessions.running_for_team(team_id)
        if session is not None and session.ends_at <= utcnow():
            await self._finish(session, expired=True)
            return None
        return session

    async def _finish(self, session: TrainingSession, expired: bool) -> tuple[TrainingSession, bool]:
        """Finish a running session and announce it; (the stored session, whether this call finished it)."""
        self._disarm(session.id)
        changed = await self._store.sessions.finish(session.id, utcnow())
        finished = await self._store.sessions.get(session.id)
        assert finished is not None  # sessions are never deleted
        if changed:
            self._bus.publish(SessionFinished(finished, expired=expired))
            log.info("session %s finished (%s)", session.id, "time is up" if expired else "by a member")
        return finished, changed

    def _arm(self, session: TrainingSession) -> None:
        """Schedule the session's finish at its ends_at."""
        self._disarm(session.id)
        delay = max(0.0, (session.ends_at - utcnow()).total_seconds())
        self._timers[session.id] = asyncio.get_running_loop().call_later(delay, self._expire, session)

    def _disarm(self, session_id: str) -> None:
        handle = self._timers.pop(session_id, None)
        if handle is not None:
            handle.cancel()

    def _expire(self, session: TrainingSession) -> None:
        self._timers.pop(session.id, None)
        task = asyncio.get_running_loop().create_task(self._expire_now(session))
        self._finishing.add(task)
        task.add_done_callback(self._expired)

    async def _expire_now(self, session: TrainingSession) -> TrainingSession:
        finished, _ = await self._finish(session, expired=True)
        return finished

    def _expired(self, task: asyncio.Task[TrainingSession]) -> None:
        self._finishing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # the session stays IN_PROCESS in the store; _running() finishes it at the team's next request
            log.error("finishing an expired session failed", exc_info=task.exception())
