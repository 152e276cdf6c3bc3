"""The services on a real store, without aiohttp: for tests that call the use cases directly."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from server.composition import Core, build_core
from server.config import Config
from server.domain.events import DomainEvent
from server.domain.records import User
from server.judge.isolation import Readiness, decide
from server.judge.types import JudgeReport, JudgeTask
from server.services.users import NewAccount

CLIENT = "192.0.2.10"  # the address service calls come from (sign-in attempts are throttled by it)

_logins = itertools.count(1)


class NotJudging:
    """A judge backend whose workers never start: these tests queue submissions without judging them."""

    isolation = "none (service tests)"
    readiness: Readiness = decide("auto", ())  # accepts submissions into the queue

    async def judge(self, task: JudgeTask, turn: object = None) -> JudgeReport:  # pragma: no cover - never started
        raise AssertionError("service tests do not judge")

    def close(self) -> None:
        """Nothing to remove."""


@asynccontextmanager
async def core_on(config: Config) -> AsyncIterator[Core]:
    """The core on config's database, open, with session timers armed; closed at the end."""
    core = build_core(config, judge=lambda: NotJudging())
    await core.services.judging.prepare()  # "built", never started: submissions wait in the queue
    await core.store.open()
    try:
        await core.services.sessions.resume()
        yield core
        await core.services.sessions.close()
    finally:
        await core.store.close()


def events_of(core: Core) -> list[DomainEvent]:
    """Every event published from now on."""
    events: list[DomainEvent] = []
    core.bus.subscribe(events.append)
    return events


async def user(core: Core, login: str | None = None) -> User:
    """A registered user."""
    account = NewAccount(login or f"svc{next(_logins)}", "secret-pw")
    return (await core.services.users.register(account, CLIENT)).user
