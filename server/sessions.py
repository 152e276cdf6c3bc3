"""Training-session lifecycle: start, finish by hand or by the contest timer, announce."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from .clock import to_iso, utcnow
from .events import Publisher
from .store import Store
from .store.sessions import FINISHED, AlreadyRunning, TrainingSession

log = logging.getLogger(__name__)

TRAINING_STARTED = "TRAINING_STARTED"
TRAINING_FINISHED = "TRAINING_FINISHED"
CONTEST_FINISHED = "CONTEST_FINISHED"


def session_to_wire(session: TrainingSession) -> dict[str, object]:
    """The REST shape of a session (SPEC §5)."""
    return {
        "id": session.id,
        "team_id": session.team_id,
        "contest_id": session.contest_id,
        "status": session.status,
        "dt_created": to_iso(session.dt_created),
        "dt_finished": to_iso(session.dt_finished) if session.dt_finished else None,
        "ends_at": to_iso(session.ends_at),
    }


class SessionService:
    """Starts and finishes sessions, keeps one timer per running session, publishes the broadcasts."""

    def __init__(self, store: Store, events: Publisher) -> None:
        self._store = store
        self._events = events
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._finishing: set[asyncio.Task[TrainingSession]] = set()

    async def running(self, team_id: int) -> TrainingSession | None:
        """The team's session in process; one whose time ran out is finished first (its timer may have failed)."""
        session = await self._store.sessions.running_for_team(team_id)
        if session is not None and session.ends_at <= utcnow():
            await self.finish(session, CONTEST_FINISHED)
            return None
        return session

    async def start(self, team_id: int, contest_id: int, duration: int) -> tuple[TrainingSession, bool]:
        """The team's running session (False) or a new one (True), announced to the lobby."""
        while True:
            running = await self.running(team_id)
            if running is not None:
                # Announced again: the web client moves only on this event, so a teammate who went
                # back to the lobby follows the team into the running session (docs/protocol.md).
                self._announce_start(running)
                return running, False
            try:
                session = await self._store.sessions.create(team_id, contest_id, utcnow(), duration)
                break
            except AlreadyRunning:  # a concurrent request won the race: answer with its session
                continue
        self.arm(session)
        self._announce_start(session)
        return session, True

    def _announce_start(self, session: TrainingSession) -> None:
        self._events.to_lobby(
            session.team_id,
            TRAINING_STARTED,
            {"id": session.id, "status": session.status, "dtCreated": to_iso(session.dt_created)},
        )

    async def finish(self, session: TrainingSession, event_type: str = TRAINING_FINISHED) -> TrainingSession:
        """Finish a running session and announce it to its room and lobby; idempotent and silent once done."""
        finished, _ = await self._finish(session, event_type)
        return finished

    async def complete(self, session: TrainingSession) -> TrainingSession:
        """A member finishes the session: TRAINING_FINISHED, sent again when it was already finished.

        The web client leaves the workspace only on this event; after CONTEST_FINISHED (or a
        teammate's finish) its "back to the lobby" dialog calls this and waits for it.
        """
        finished, changed = await self._finish(session, TRAINING_FINISHED)
        if not changed:
            self._announce_finish(finished, TRAINING_FINISHED)
        return finished

    async def _finish(self, session: TrainingSession, event_type: str) -> tuple[TrainingSession, bool]:
        self._disarm(session.id)
        changed = await self._store.sessions.finish(session.id, utcnow())
        if changed:
            self._announce_finish(session, event_type)
            log.info("session %s finished (%s)", session.id, event_type)
        finished = await self._store.sessions.get(session.id)
        assert finished is not None
        return finished, changed

    def _announce_finish(self, session: TrainingSession, event_type: str) -> None:
        payload = {"id": session.id, "teamId": session.team_id, "contestId": session.contest_id, "status": FINISHED}
        self._events.to_training(session.id, event_type, payload)
        self._events.to_lobby(session.team_id, event_type, payload)

    async def resume(self) -> None:
        """At start: finish sessions whose time ran out while down, re-arm the others."""
        now = utcnow()
        for session in await self._store.sessions.all_running():
            if session.ends_at <= now:
                await self.finish(session, CONTEST_FINISHED)
            else:
                self.arm(session)

    def arm(self, session: TrainingSession) -> None:
        """Schedule CONTEST_FINISHED at the session's ends_at."""
        self._disarm(session.id)
        loop = asyncio.get_running_loop()
        delay = max(0.0, (session.ends_at - utcnow()).total_seconds())
        self._timers[session.id] = loop.call_later(delay, self._expire, session)

    def _disarm(self, session_id: str) -> None:
        handle = self._timers.pop(session_id, None)
        if handle is not None:
            handle.cancel()

    def _expire(self, session: TrainingSession) -> None:
        self._timers.pop(session.id, None)
        task = asyncio.get_running_loop().create_task(self.finish(session, CONTEST_FINISHED))
        self._finishing.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[TrainingSession]) -> None:
        self._finishing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # the session stays IN_PROCESS in the store; running() finishes it at the team's next request
            log.error("finishing an expired session failed", exc_info=task.exception())

    async def close(self) -> None:
        """Cancel timers and wait for finishes already under way."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._finishing:
            await asyncio.gather(*self._finishing, return_exceptions=True)

    @staticmethod
    def participation(session: TrainingSession, now: datetime | None = None) -> dict[str, object]:
        """Start, finish and seconds left of a session's virtual participation."""
        now = now or utcnow()
        finish = (
            session.dt_finished if session.dt_finished and session.dt_finished < session.ends_at else session.ends_at
        )
        over = not session.running or now >= session.ends_at
        left = 0 if over else max(0, int((session.ends_at - now).total_seconds()))
        return {
            "participantStartTime": to_iso(session.dt_created),
            "participantFinishTime": to_iso(finish),
            "participantLeftTime": left,
            "contestState": "FINISHED" if over else "IN_PROGRESS",
        }
