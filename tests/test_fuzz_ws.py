"""Property-based fuzzing of the WebSocket protocol over real sockets.

Whatever text frame (under the size limit) a member sends, the server answers it with exactly one frame to the
sender, either ERROR (to the sender alone) or the applied message (to everyone, sender included, in one order),
keeps the socket open, logs no traceback, and the room stays consistent: every member's view, the REST getters
and a newcomer's ROOM_STATE agree. One app per test function; hypothesis examples reuse it (and its state).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st

from server.config import Config

from .support.api import Account, Api
from .support.fuzzing import (
    FUZZ_SETTINGS,
    STATE_TYPES,
    Frame,
    Member,
    View,
    any_frames,
    check_error,
    deep_text,
    marker_of,
    marker_round,
    read_json,
    request_type,
    rest_view,
    send_marked,
    tracebacks,
)
from .support.ws import ClientFactory, frame, joined, lobby, start, training

ALIASES = "AB"  # contest 1 of conftest's packages
FAST = {"rate_per_second": 1e6, "rate_burst": 1_000_000}  # the rate limit has its own tests; here it would only mask


@dataclass(repr=False)
class Trio:
    """Alice, Bob and Carol (one team, all online: the room is full) in one room; Dave is on another team."""

    client: TestClient
    kind: str  # "training" or "lobby"
    room_id: str
    members: list[Member]
    dave: Account

    def __repr__(self) -> str:
        return f"Trio({self.kind} {self.room_id})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints fixtures with every failing example: keep it short (views hold megabytes)."""
        printer.text(repr(self))

    async def connect(self, account: Account) -> Member:
        """Open a socket for account, read its join frames, and start its view from ROOM_STATE."""
        if self.kind == "training":
            ws = await training(self.client, account, self.room_id)
        else:
            ws = await lobby(self.client, account, int(self.room_id))
        return Member(account, ws, View.of_state(await joined(ws, account.id)))

    async def settle(self) -> None:
        """Let every member see a marker from every member, so pending USER_JOIN/USER_LEAVE frames are read."""
        for sender in self.members:
            for frames in await marker_round(sender, self.members):
                assert {f["type"] for f in frames} <= {"USER_JOIN", "USER_LEAVE"}, frames

    async def rejoin_last(self) -> View:
        """Close the last member's socket and connect it again; returns the view its new ROOM_STATE gives."""
        old = self.members[-1]
        await old.ws.close()
        self.members[-1] = await self.connect(old.account)
        await self.settle()
        return self.members[-1].view

    async def check_consistent(self) -> None:
        """Every member, the REST getters and a newcomer's ROOM_STATE show the same room."""
        views = [m.view for m in self.members]
        assert all(v == views[0] for v in views), views
        owner = self.members[0].account
        if self.kind == "training":
            rest = await rest_view(self.client, owner, self.room_id, ALIASES)
        else:
            resp = await self.client.get(f"/lobby/{self.room_id}/selected-contest", headers=owner.headers)
            rest = View(contest=(await resp.json())["contestId"])
        assert rest == views[0], (rest, views[0])
        assert await self.rejoin_last() == views[0]


async def open_trio(aiohttp_client: ClientFactory, config: Config, kind: str) -> Trio:
    """A fresh app with a full room of one team."""
    client = await start(aiohttp_client, config, **FAST)
    api = Api(client)
    alice, bob, carol, dave = [await api.register() for _ in range(4)]
    team = await api.team(alice, bob, carol)
    await api.team(dave, name="Other")
    room_id = (await api.session(alice, team["id"]))["id"] if kind == "training" else str(team["id"])
    trio = Trio(client, kind, room_id, [], dave)
    for account in (alice, bob, carol):
        trio.members.append(await trio.connect(account))
    await trio.settle()
    return trio


@pytest.fixture
async def room(aiohttp_client: ClientFactory, config: Config) -> Trio:
    """A training room, full."""
    return await open_trio(aiohttp_client, config, "training")


@pytest.fixture
async def lobby_room(aiohttp_client: ClientFactory, config: Config) -> Trio:
    """A team's lobby, full."""
    return await open_trio(aiohttp_client, config, "lobby")


async def send_and_check(trio: Trio, who: int, text: str) -> dict[str, Any]:
    """Send one frame and a marker; assert exactly one answer and one order for all; returns the answer.

    The sender's next frame is the answer (ERROR or the applied message) and the one after it the marker's
    echo, so the socket is still open and nothing else came. The others get the applied message then the
    marker, or only the marker after an ERROR.
    """
    sender = trio.members[who]
    await send_marked(sender, text)
    answer = await read_json(sender.ws)
    marker = marker_of(sender)
    assert await read_json(sender.ws) == marker, "a second answer, or none"
    others = [m for m in trio.members if m is not sender]
    if answer["type"] == "ERROR":
        check_error(answer, text)
        for other in others:
            assert await read_json(other.ws) == marker, "an ERROR leaked to another member"
    else:
        assert answer["type"] == request_type(text)
        for other in others:
            assert await read_json(other.ws) == answer
            assert await read_json(other.ws) == marker
        for member in trio.members:
            member.view.apply(answer)
    return answer


frames_by_member = st.lists(st.tuples(st.integers(0, 2), any_frames), min_size=1, max_size=4)


@settings(FUZZ_SETTINGS, max_examples=300)
@given(frames=frames_by_member)
@example(frames=[(0, "")])
@example(frames=[(0, "null"), (1, "[]"), (2, '"type"'), (0, "{}"), (1, '{"type": "USER"}')])
@example(frames=[(1, '{"type": "USER", "payload": []}'), (2, '{"type": 7, "payload": {}}')])
@example(frames=[(0, Frame(deep_text(1022))), (1, Frame(deep_text(1023))), (2, Frame(deep_text(5000)))])
@example(frames=[(0, Frame(frame("CODE_EDITOR_UPDATE", code="x" * 262_144, problemAlias="A")))])
@example(frames=[(0, Frame(frame("CODE_EDITOR_UPDATE", code="x" * 262_145, problemAlias="A")))])
@example(frames=[(0, Frame(frame("CODE_EDITOR_UPDATE", code="é" * 131_073, problemAlias="B")))])
@example(frames=[(0, frame("CONTEST_SELECTED", contestId=1)), (1, frame("ROOM_STATE")), (2, frame("ERROR"))])
@example(
    frames=[
        (1, frame("CONTROL_TAKEN", userId=True)),
        (1, '{"type": "CONTROL_TAKEN", "payload": {"userId": 1180591620717411303424}}'),
    ]
)
async def test_training_room_answers_any_frame_and_stays_consistent(
    room: Trio, caplog: pytest.LogCaptureFixture, frames: list[tuple[int, str]]
) -> None:
    for who, text in frames:
        await send_and_check(room, who, text)
    await room.check_consistent()
    assert not tracebacks(caplog)


@settings(FUZZ_SETTINGS, max_examples=150)
@given(frames=frames_by_member)
@example(frames=[(0, frame("CONTEST_SELECTED", contestId=2)), (1, frame("CONTEST_SELECTED", contestId=99))])
@example(frames=[(0, frame("CONTEST_SELECTED", contestId=2**63)), (2, frame("CONTEST_SELECTED", contestId=1.0))])
@example(frames=[(0, frame("CODE_EDITOR_UPDATE", code="x", problemAlias="A"))])
async def test_lobby_answers_any_frame_and_stays_consistent(
    lobby_room: Trio, caplog: pytest.LogCaptureFixture, frames: list[tuple[int, str]]
) -> None:
    for who, text in frames:
        await send_and_check(lobby_room, who, text)
    await lobby_room.check_consistent()
    assert not tracebacks(caplog)


# --- valid sequences against a model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One rule-level client message: who sends what; `arg` picks a member index (3 = Dave, None = nobody)."""

    kind: str  # code, control, assign, compiler, select
    who: int
    alias: str = "A"
    arg: Any = None


members_or_dave = st.one_of(st.none(), st.integers(0, 3))
actions: st.SearchStrategy[Action] = st.one_of(
    st.builds(Action, st.just("code"), st.integers(0, 2), st.sampled_from("ABZ"), st.sampled_from(["", "x", "é" * 3])),
    st.builds(Action, st.just("control"), st.integers(0, 2), arg=st.tuples(st.integers(0, 3), st.booleans())),
    st.builds(Action, st.just("assign"), st.integers(0, 2), st.sampled_from("ABZ"), members_or_dave),
    st.builds(
        Action, st.just("compiler"), st.integers(0, 2), st.sampled_from("AB"), st.sampled_from(["gcc_c17", "cobol"])
    ),
)


class Model:
    """What the room must hold after each action, and which ERROR codes a rule-breaking action may get."""

    def __init__(self, trio: Trio) -> None:
        self.ids = [m.account.id for m in trio.members] + [trio.dave.id]
        self.users = [m.account.user for m in trio.members]
        self.controller: str | None = trio.members[0].view.controller

    def text(self, a: Action) -> str:
        """The frame for an action."""
        if a.kind == "code":
            return frame("CODE_EDITOR_UPDATE", code=a.arg, problemAlias=a.alias)
        if a.kind == "control":
            target, as_int = a.arg
            return frame("CONTROL_TAKEN", userId=int(self.ids[target]) if as_int else self.ids[target])
        if a.kind == "assign":
            user = None if a.arg is None else {"id": self.ids[a.arg], "login": "ignored"}
            return frame("PROBLEM_ASSIGNED", user=user, problemAlias=a.alias)
        return frame("COMPILER_SELECTED", compiler=a.arg, problemAlias=a.alias)

    def expect(self, a: Action) -> tuple[set[str], dict[str, Any] | None]:
        """(ERROR codes the action may get, empty when it must apply; the payload everyone must then see)."""
        sender = self.ids[a.who]
        bad: set[str] = set()
        if a.alias not in ALIASES:
            bad.add("INVALID_MESSAGE")
        if a.kind == "code":
            if self.controller not in (None, sender):
                bad.add("NOT_IN_CONTROL")
            return bad, {"code": a.arg, "problemAlias": a.alias, "userId": sender}
        if a.kind == "control":
            if self.ids[a.arg[0]] != sender:
                bad.add("FORBIDDEN")
            return bad, {"userId": sender}
        if a.kind == "assign":
            if a.arg == 3:
                bad.add("FORBIDDEN")
            user = None if a.arg is None or a.arg == 3 else self.users[a.arg]
            return bad, {"user": user, "problemAlias": a.alias}
        if a.arg != "gcc_c17":
            bad.add("INVALID_MESSAGE")
        return bad, {"compiler": a.arg, "problemAlias": a.alias}

    def applied(self, a: Action) -> None:
        """Record an applied action."""
        if a.kind == "control":
            self.controller = self.ids[a.who]


@settings(FUZZ_SETTINGS, max_examples=100)
@given(script=st.lists(actions, min_size=1, max_size=25))
async def test_valid_sequences_follow_the_rules(
    room: Trio, caplog: pytest.LogCaptureFixture, script: list[Action]
) -> None:
    model = Model(room)
    for action in script:
        text = model.text(action)
        bad, payload = model.expect(action)
        answer = await send_and_check(room, action.who, text)
        if bad:
            assert answer["type"] == "ERROR" and answer["payload"]["code"] in bad, (action, answer)
        else:
            assert answer == {"type": request_type(text), "payload": payload}, action
            model.applied(action)
    await room.check_consistent()
    assert not tracebacks(caplog)


async def burst(trio: Trio, scripts: list[list[str]]) -> list[list[dict[str, Any]]]:
    """Every member sends its frames at once, then a marker; returns what each member saw up to all markers."""

    async def send(member: Member, texts: list[str]) -> None:
        for text in texts:
            await member.ws.send_str(text)
        await member.ws.send_str(frame("USER", user={}))

    async def read(member: Member) -> list[dict[str, Any]]:
        frames: list[dict[str, Any]] = []
        pending = {m.account.id for m in trio.members}
        while pending:
            got = await read_json(member.ws)
            if got["type"] == "USER" and got["payload"]["user"]["id"] in pending:
                pending.discard(got["payload"]["user"]["id"])
            else:
                frames.append(got)
        return frames

    readers = [asyncio.create_task(read(m)) for m in trio.members]
    await asyncio.gather(*(send(m, texts) for m, texts in zip(trio.members, scripts, strict=True)))
    return list(await asyncio.gather(*readers))


@settings(FUZZ_SETTINGS, max_examples=60)
@given(scripts=st.lists(st.lists(actions, max_size=15), min_size=3, max_size=3))
async def test_concurrent_senders_see_one_order(
    room: Trio, caplog: pytest.LogCaptureFixture, scripts: list[list[Action]]
) -> None:
    model = Model(room)
    texts = [[model.text(Action(a.kind, who, a.alias, a.arg)) for a in script] for who, script in enumerate(scripts)]
    seen = await burst(room, texts)
    broadcasts = [[f for f in frames if f["type"] != "ERROR"] for frames in seen]
    assert all(b == broadcasts[0] for b in broadcasts), "members saw different orders"
    assert {f["type"] for f in broadcasts[0]} <= STATE_TYPES
    errors = sum(len(frames) - len(b) for frames, b in zip(seen, broadcasts, strict=True))
    assert errors + len(broadcasts[0]) == sum(map(len, texts)), "some message got no answer or two"
    for member in room.members:
        for message in broadcasts[0]:
            member.view.apply(message)
    await room.check_consistent()
    assert not tracebacks(caplog)
