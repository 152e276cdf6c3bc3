"""Helpers for the fuzz and fault tests: frame strategies, per-member room views, log checks (no tests here)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from .api import Account
from .ws import TIMEOUT, frame

CLIENT_TYPES = (
    "USER",
    "CONTEST_SELECTED",
    "CODE_EDITOR_UPDATE",
    "CONTROL_TAKEN",
    "PROBLEM_ASSIGNED",
    "COMPILER_SELECTED",
)
SERVER_TYPES = (
    "USER_JOIN",
    "USER_LEAVE",
    "ROOM_STATE",
    "ERROR",
    "TRAINING_STARTED",
    "TRAINING_FINISHED",
    "CONTEST_FINISHED",
    "SUBMISSION_VERDICT_PENDING",
    "SUBMISSION_VERDICT_RETRIEVED",
    "PROBLEM_STATUS_UPDATED",
    "PROBLEM_ATTEMPTS_UPDATED",
    "PROBLEM_COMMENT_RECEIVED",
    "PROBLEM_COMMENT_UPDATED",
    "PROBLEM_COMMENT_DELETED",
)
FIELDS = ("user", "contestId", "code", "problemAlias", "userId", "compiler", "id")
ERROR_CODES = frozenset({"INVALID_JSON", "INVALID_MESSAGE", "UNKNOWN_TYPE", "FORBIDDEN", "NOT_IN_CONTROL"})
STATE_TYPES = frozenset(
    {"CONTEST_SELECTED", "CODE_EDITOR_UPDATE", "CONTROL_TAKEN", "PROBLEM_ASSIGNED", "COMPILER_SELECTED"}
)

# Deterministic and bounded: the same examples on every run, no example database, no per-example deadline
# (a socket round trip has no fixed duration). The app fixture is shared by every example of a test on purpose.
FUZZ_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- strategies -------------------------------------------------------------------------------------------------


class Frame(str):
    """A frame's text whose repr stays short, so hypothesis can report a 1 MB example without choking."""

    __slots__ = ()

    def __repr__(self) -> str:
        if len(self) <= 200:
            return f"Frame({str.__repr__(self)})"
        return f"Frame({str.__repr__(self[:100])} ... {len(self)} chars)"


json_leaves: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def nested(depth: int, leaf: Any = 1) -> Any:
    """A value nested `depth` levels deep, alternating lists and objects."""
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def deep_text(depth: int) -> str:
    """JSON text nested `depth` levels deep, built as text (orjson refuses to encode past 255 levels)."""
    return '{"type": "USER", "payload": {"user": ' + "[" * depth + "]" * depth + "}}"


field_values: st.SearchStrategy[Any] = st.one_of(
    json_values,
    st.sampled_from(["A", "B", "Z", "", "python3_docker", "gcc_cpp20", "cobol", "1", "2", "0", "-1"]),
    st.integers(-3, 5),
)
payloads: st.SearchStrategy[Any] = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(FIELDS), field_values, max_size=4),
    st.fixed_dictionaries({"user": st.one_of(json_values, st.fixed_dictionaries({"id": field_values}))}),
)
message_types: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(CLIENT_TYPES), st.sampled_from(SERVER_TYPES), st.text(max_size=20), json_leaves
)


def _envelope(type_: Any, payload: Any, extra: dict[str, Any]) -> str:
    return orjson.dumps({**extra, "type": type_, "payload": payload}).decode()


envelopes: st.SearchStrategy[str] = st.builds(
    _envelope, message_types, payloads, st.dictionaries(st.text(max_size=8), json_leaves, max_size=2)
)
partial_envelopes: st.SearchStrategy[str] = st.builds(
    lambda d: orjson.dumps(d).decode(),
    st.dictionaries(st.sampled_from(["type", "payload", "Type", "PAYLOAD"]), json_values, max_size=2),
)
_BIG = 1_000_000  # bytes of one huge string: the frame stays under MAX_MESSAGE_BYTES (1 MiB), so it must be read
_BIG_KINDS = ("code", "alias", "type", "user", "contest")


def big_frame(kind: str, char: str, size: int) -> str:
    """A frame with one huge string field of `size` chars (clamped to fit the frame limit), built whole."""
    per_char = len(orjson.dumps(char)) - 2  # JSON escapes make one character cost up to 6 bytes
    huge = char * min(size, _BIG // per_char)
    if kind == "code":
        return frame("CODE_EDITOR_UPDATE", code=huge, problemAlias="A")
    if kind == "alias":
        return frame("CODE_EDITOR_UPDATE", code="x", problemAlias=huge)
    if kind == "type":
        return frame(huge, x=1)
    if kind == "user":
        return frame("USER", user={"id": huge})
    return frame("CONTEST_SELECTED", contestId=huge)


# Built from small arguments, so hypothesis's report of an example stays small too.
big_frames: st.SearchStrategy[str] = st.builds(
    big_frame,
    st.sampled_from(_BIG_KINDS),
    st.sampled_from(["a", "é", "😀", "\\", '"', "\x00", "\n", "<"]),
    st.integers(60_000, 1 << 20),
)
deep_frames: st.SearchStrategy[str] = st.one_of(
    st.builds(deep_text, st.integers(1, 1500)),
    st.builds(lambda d: frame("PROBLEM_ASSIGNED", user=nested(d), problemAlias="A"), st.integers(1, 200)),
    st.builds(lambda d: orjson.dumps(nested(d)).decode(), st.integers(1, 200)),
)
any_frames: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=60),
    st.builds(lambda v: orjson.dumps(v).decode(), json_values),
    partial_envelopes,
    envelopes,
    envelopes,
    envelopes,
    deep_frames,
    big_frames,
).map(Frame)


# --- room views -------------------------------------------------------------------------------------------------


@dataclass
class View:
    """What one member believes the room holds: ROOM_STATE, then every state message applied in order."""

    code: dict[str, str] = field(default_factory=dict)
    compilers: dict[str, str | None] = field(default_factory=dict)
    assignments: dict[str, Any] = field(default_factory=dict)
    controller: str | None = None
    contest: int | None = None

    @classmethod
    def of_state(cls, payload: dict[str, Any]) -> View:
        """A view from a ROOM_STATE payload (training or lobby)."""
        return cls(
            code=dict(payload.get("code", {})),
            compilers=dict(payload.get("compilers", {})),
            assignments=dict(payload.get("assignments", {})),
            controller=payload.get("controllerId"),
            contest=payload.get("selectedContestId"),
        )

    def apply(self, message: dict[str, Any]) -> None:
        """Apply one broadcast message (others change no state)."""
        type_, p = message["type"], message["payload"]
        if type_ == "CODE_EDITOR_UPDATE":
            self.code[p["problemAlias"]] = p["code"]
        elif type_ == "CONTROL_TAKEN":
            self.controller = p["userId"]
        elif type_ == "PROBLEM_ASSIGNED":
            self.assignments[p["problemAlias"]] = p["user"]
        elif type_ == "COMPILER_SELECTED":
            self.compilers[p["problemAlias"]] = p["compiler"]
        elif type_ == "CONTEST_SELECTED":
            self.contest = p["contestId"]


@dataclass
class Member:
    """One open socket of a test account and its view of the room."""

    account: Account
    ws: ClientWebSocketResponse
    view: View


async def read_json(ws: ClientWebSocketResponse) -> dict[str, Any]:
    """The next frame, which must be a JSON text frame (a close here means the server dropped the socket)."""
    msg = await ws.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.TEXT, f"socket closed or odd frame: {msg.type!r} {msg.data!r} {msg.extra!r}"
    return orjson.loads(msg.data)  # type: ignore[no-any-return]


async def until_echo(ws: ClientWebSocketResponse, sender_id: str) -> list[dict[str, Any]]:
    """Frames up to (not including) the echo of `sender_id`'s USER message."""
    frames: list[dict[str, Any]] = []
    while True:
        got = await read_json(ws)
        if got["type"] == "USER" and got["payload"]["user"]["id"] == sender_id:
            return frames
        frames.append(got)


def marker_of(member: Member) -> dict[str, Any]:
    """The echo of a member's USER marker, as every member of the room receives it."""
    return {"type": "USER", "payload": {"user": member.account.user}}


async def send_marked(sender: Member, text: str | None = None) -> None:
    """Send a frame (if any), then a USER marker whose echo tells everyone the frame has been dealt with."""
    if text is not None:
        await sender.ws.send_str(text)
    await sender.ws.send_str(frame("USER", user={}))


async def marker_round(sender: Member, members: list[Member]) -> list[list[dict[str, Any]]]:
    """The sender sends only a marker; returns what each member read before its echo (no sleeping)."""
    await send_marked(sender)
    return list(await asyncio.gather(*(until_echo(m.ws, sender.account.id) for m in members)))


def request_type(text: str) -> str | None:
    """The `requestType` an ERROR must carry for this frame: its `type` (at most 64 characters) when a string."""
    try:
        data = orjson.loads(str(text))  # orjson reads only exact str, not a subclass such as Frame
    except orjson.JSONDecodeError:
        return None
    type_ = data.get("type") if isinstance(data, dict) else None
    return type_[:64] if isinstance(type_, str) else None


def check_error(message: dict[str, Any], text: str) -> None:
    """An ERROR has the documented shape, a client-caused code (never INTERNAL_ERROR) and the right requestType."""
    payload = message["payload"]
    assert set(payload) == {"code", "message", "details", "requestType"}, payload
    assert payload["code"] in ERROR_CODES, payload
    assert isinstance(payload["message"], str) and isinstance(payload["details"], dict)
    assert payload["requestType"] == request_type(text)


async def rest_view(client: TestClient, account: Account, session_id: str, aliases: str) -> View:
    """The room as the REST getters show it."""
    headers = account.headers
    view = View()
    for alias in aliases:
        resp = await client.get(f"/training-sessions/{session_id}/code/{alias}", headers=headers)
        assert resp.status == 200
        view.code[alias] = (await resp.json())["code"]
        resp = await client.get(f"/training-sessions/{session_id}/compiler/{alias}", headers=headers)
        assert resp.status == 200
        view.compilers[alias] = (await resp.json())["compiler"]
    resp = await client.get(f"/training-sessions/{session_id}/control/current", headers=headers)
    view.controller = (await resp.json())["userId"]
    resp = await client.get(f"/contests/{session_id}/problems", headers=headers)
    assert resp.status == 200
    view.assignments = {p["alias"]: p["assignedUser"] for p in (await resp.json())["problems"]}
    return view


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every ERROR-or-worse record that carries a traceback, formatted for the assertion message."""
    return [
        f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info is not None
    ]
