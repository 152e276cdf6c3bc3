"""Every envelope the server sends is built here, its payload dumped through its schema in schemas/.

Each message is encoded once with orjson and framed once (ws/framing.py), and the same frame goes
to every member of a room. CODE_EDITOR_UPDATE is the one payload assembled directly: it is the hot path (one per
keystroke, times the room's members) and its shape is its input's plus the sender, checked
against CodeEditorUpdateOutSchema by tests/test_wire.py.
"""

from __future__ import annotations

from typing import Any

import orjson

from schemas.broadcasts import (
    CompilerSelectedOutSchema,
    ContestSelectedOutSchema,
    ErrorPayloadSchema,
    LobbyStateSchema,
    ProblemAssignedOutSchema,
    TrainingStateSchema,
    UserIdSchema,
    UserMessageSchema,
)

from ..domain.records import User
from ..rooms.lobby import LobbyRoom
from ..rooms.training import TrainingRoom
from . import const
from .framing import Frame

_USER_ID = UserIdSchema()
_USER = UserMessageSchema()
_CONTEST_SELECTED = ContestSelectedOutSchema()
_ASSIGNED = ProblemAssignedOutSchema()
_COMPILER = CompilerSelectedOutSchema()
_LOBBY_STATE = LobbyStateSchema()
_TRAINING_STATE = TrainingStateSchema()
_ERROR = ErrorPayloadSchema()


def encode(type_: str, payload: dict[str, Any]) -> Frame:
    """`{"type", "payload"}` as one text frame, encoded and framed once; broadcast the same frame to every member."""
    return Frame(orjson.dumps({"type": type_, "payload": payload}))


def user_join(user_id: int) -> Frame:
    """USER_JOIN for everyone in the room, the newcomer included."""
    return encode(const.USER_JOIN, _USER_ID.dump(user_id))


def user_leave(user_id: int) -> Frame:
    """USER_LEAVE for the rest when a user's last socket closed."""
    return encode(const.USER_LEAVE, _USER_ID.dump(user_id))


def room_state(room: LobbyRoom | TrainingRoom) -> Frame:
    """ROOM_STATE for the newcomer alone."""
    schema = _LOBBY_STATE if isinstance(room, LobbyRoom) else _TRAINING_STATE
    return encode(const.ROOM_STATE, schema.dump(room))


def user(sender: User) -> Frame:
    """USER: the sender's stored user object."""
    return encode(const.USER, _USER.dump(sender))


def contest_selected(contest_id: int) -> Frame:
    """CONTEST_SELECTED as applied."""
    return encode(const.CONTEST_SELECTED, _CONTEST_SELECTED.dump(contest_id))


def code_editor_update(code: str, alias: str, user_id: int) -> Frame:
    """CODE_EDITOR_UPDATE as applied, with the sender (the hot path: built directly, see the module doc)."""
    return Frame(
        orjson.dumps(
            {"type": const.CODE_EDITOR_UPDATE, "payload": {"code": code, "problemAlias": alias, "userId": str(user_id)}}
        )
    )


def control_taken(user_id: int) -> Frame:
    """CONTROL_TAKEN by the sender."""
    return encode(const.CONTROL_TAKEN, _USER_ID.dump(user_id))


def problem_assigned(assignee: User | None, alias: str) -> Frame:
    """PROBLEM_ASSIGNED with the stored user object, or null when cleared."""
    return encode(const.PROBLEM_ASSIGNED, _ASSIGNED.dump({"user": assignee, "problemAlias": alias}))


def compiler_selected(compiler: str, alias: str) -> Frame:
    """COMPILER_SELECTED as applied."""
    return encode(const.COMPILER_SELECTED, _COMPILER.dump({"compiler": compiler, "problemAlias": alias}))


def error(code: str, message: str, details: dict[str, Any] | None = None, request_type: str | None = None) -> Frame:
    """ERROR for the sender of a message that was not applied."""
    payload = {"code": code, "message": message, "details": details or {}, "request_type": request_type}
    return encode(const.ERROR, _ERROR.dump(payload))
