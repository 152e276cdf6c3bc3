"""Every envelope the server sends is built here, encoded once with orjson into the frame's UTF-8 bytes."""

from __future__ import annotations

from typing import Any

import orjson

from . import const


def encode(type_: str, payload: dict[str, Any]) -> bytes:
    """`{"type", "payload"}` as one text frame's UTF-8 bytes; broadcast the same bytes to every member."""
    return orjson.dumps({"type": type_, "payload": payload})


def user_join(user_id: int) -> bytes:
    """USER_JOIN for everyone in the room, the newcomer included."""
    return encode(const.USER_JOIN, {"userId": str(user_id)})


def user_leave(user_id: int) -> bytes:
    """USER_LEAVE for the rest when a user's last connection closed."""
    return encode(const.USER_LEAVE, {"userId": str(user_id)})


def room_state(state: dict[str, Any]) -> bytes:
    """ROOM_STATE for the newcomer alone."""
    return encode(const.ROOM_STATE, state)


def error(code: str, message: str, details: dict[str, Any] | None = None, request_type: str | None = None) -> bytes:
    """ERROR for the sender of a message that was not applied."""
    return encode(
        const.ERROR, {"code": code, "message": message, "details": details or {}, "requestType": request_type}
    )
