"""Every envelope the server sends is built here, encoded once with orjson into the frame text."""

from __future__ import annotations

from typing import Any

import orjson

from . import const


def encode(type_: str, payload: dict[str, Any]) -> str:
    """`{"type", "payload"}` as the text of one frame; broadcast the same str to every member."""
    return orjson.dumps({"type": type_, "payload": payload}).decode()


def user_join(user_id: int) -> str:
    """USER_JOIN for everyone in the room, the newcomer included."""
    return encode(const.USER_JOIN, {"userId": str(user_id)})


def user_leave(user_id: int) -> str:
    """USER_LEAVE for the rest when a user's last connection closed."""
    return encode(const.USER_LEAVE, {"userId": str(user_id)})


def room_state(state: dict[str, Any]) -> str:
    """ROOM_STATE for the newcomer alone."""
    return encode(const.ROOM_STATE, state)


def error(code: str, message: str, details: dict[str, Any] | None = None, request_type: str | None = None) -> str:
    """ERROR for the sender of a message that was not applied."""
    return encode(
        const.ERROR, {"code": code, "message": message, "details": details or {}, "requestType": request_type}
    )
