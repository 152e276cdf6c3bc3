"""The services called directly on a real store: each rule raises its domain error and publishes its events.

The REST and WebSocket tests drive the same rules through the app; these show the rules live in the
services (no aiohttp here) and pin the events each use case publishes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from server.composition import Core
from server.config import Config
from server.domain.errors import Conflict, DuplicateSubmission, Forbidden, Invalid, NotFound, Unauthenticated
from server.domain.events import (
    CommentDeleted,
    CommentEdited,
    CommentPosted,
    MemberRemoved,
    SessionFinished,
    SessionStarted,
    SubmissionQueued,
)
from server.services.users import NewAccount

from .support.core import CLIENT, core_on, events_of, user


@pytest.fixture
async def core(config: Config) -> AsyncIterator[Core]:
    async with core_on(config) as opened:
        yield opened


async def test_access_resolves_tokens_and_membership(core: Core) -> None:
    issued = await core.services.users.register(NewAccount("ada", "secret-pw", "Ada"), CLIENT)
    assert issued.user.last_name == "ada"  # names default to the login
    access = core.services.access
    assert await access.user_for_token(issued.token) == issued.user
    for token in (None, "", "nope"):
        with pytest.raises(Unauthenticated):
            await access.user_for_token(token)
    with pytest.raises(Conflict):
        await core.services.users.register(NewAccount("ada", "other-pw"), CLIENT)
    with pytest.raises(Unauthenticated):
        await core.services.users.login("ada", "wrong-pw", CLIENT)
    assert (await core.services.users.login("ada", "secret-pw", CLIENT)).user == issued.user


async def test_team_rules(core: Core) -> None:
    alice, bob, eve = await user(core), await user(core), await user(core)
    teams = core.services.teams
    with pytest.raises(Invalid):
        await teams.create(alice, "Blue", ["nobody-by-this-login"])
    team = await teams.create(alice, "  Blue ", [bob.login])
    assert team.name == "Blue" and [m.id for m in team.members] == [alice.id]  # bob is invited
    assert [u.id for u in team.invited] == [bob.id] and team.owner_id == alice.id
    team = await teams.accept(bob, team.id)
    assert [m.id for m in team.members] == [alice.id, bob.id]
    with pytest.raises(Forbidden):  # only the owner removes others
        await teams.remove_member(bob, team.id, alice.id)
    with pytest.raises(Forbidden):
        await teams.get(eve, team.id)
    with pytest.raises(NotFound):
        await teams.get(alice, 10**12)
    events = events_of(core)
    await teams.remove_member(alice, team.id, bob.id)
    assert events == [MemberRemoved(team.id, bob.id)]
    with pytest.raises(Conflict):  # the last member cannot leave
        await teams.remove_member(alice, team.id, alice.id)


async def test_the_last_two_members_leaving_at_once_leave_one(core: Core) -> None:
    """Both pass the service's count check before either writes; the store's check inside the write decides."""
    alice, bob = await user(core), await user(core)
    teams = core.services.teams
    team = await teams.accept(bob, (await teams.create(alice, "Blue", [bob.login])).id)
    results = await asyncio.gather(
        teams.remove_member(alice, team.id, alice.id), teams.remove_member(bob, team.id, bob.id), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]
    remaining = (await core.store.teams.get(team.id)).members
    assert len(remaining) == 1 and remaining[0].id in (alice.id, bob.id)


async def test_session_rules_and_announcements(core: Core) -> None:
    alice = await user(core)
    team = await core.services.teams.create(alice, "Blue", [])
    sessions = core.services.sessions
    with pytest.raises(NotFound):
        await sessions.start(alice, team.id, 999)
    events = events_of(core)
    started, created = await sessions.start(alice, team.id, 1)
    again, created_again = await sessions.start(alice, team.id, 2)  # whatever contest: the running one
    assert created and not created_again and again == started
    assert events == [SessionStarted(started), SessionStarted(started)]  # announced again for the lobby
    finished = await sessions.complete(alice, started.id)
    await sessions.complete(alice, started.id)
    assert [type(e) for e in events[2:]] == [SessionFinished, SessionFinished]
    assert events[2] == events[3] == SessionFinished(finished, expired=False)
    assert (await sessions.participation(alice, started.id)).finished


async def test_submission_rules(core: Core) -> None:
    alice = await user(core)
    team = await core.services.teams.create(alice, "Blue", [])
    session, _ = await core.services.sessions.start(alice, team.id, 1)
    submissions = core.services.submissions
    for problem, compiler, source, field in (
        ("A", "pascal", b"x", "compiler"),
        ("Z", "python3_docker", b"x", "problem"),
        ("A", "python3_docker", b" \n", "file"),
    ):
        with pytest.raises(Invalid) as error:
            await submissions.submit(alice, session.id, problem, compiler, source)
        assert set(error.value.details["fields"]) == {field}
    events = events_of(core)
    stored = await submissions.submit(alice, session.id, "A", "python3_docker", b"print(1)\n")
    assert stored.verdict == "No report" and not stored.upsolving and events == [SubmissionQueued(stored)]
    with pytest.raises(DuplicateSubmission) as duplicate:
        await submissions.submit(alice, session.id, "A", "python3_docker", b"print(1)\n")
    assert duplicate.value.earlier_id == stored.id
    await core.services.sessions.complete(alice, session.id)
    late = await submissions.submit(alice, session.id, "A", "python3_docker", b"print(2)\n")
    assert late.upsolving


async def test_comment_rules(core: Core) -> None:
    alice, bob = await user(core), await user(core)
    team = await core.services.teams.create(alice, "Blue", [bob.login])
    await core.services.teams.accept(bob, team.id)
    session, _ = await core.services.sessions.start(alice, team.id, 1)
    comments = core.services.comments
    events = events_of(core)
    posted = await comments.post(alice, session.id, "A", "try DP")
    with pytest.raises(Forbidden):  # only the author edits
        await comments.edit(bob, session.id, posted.id, "mine now")
    edited = await comments.edit(alice, session.id, posted.id, "try DP!")
    await comments.delete(bob, session.id, posted.id)  # any member deletes
    with pytest.raises(NotFound):
        await comments.delete(alice, session.id, posted.id)
    assert events == [CommentPosted(posted), CommentEdited(edited), CommentDeleted(session.id, posted.id)]
