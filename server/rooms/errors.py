"""Domain exceptions raised by rooms; the WebSocket layer maps them to wire errors in one place."""

from __future__ import annotations

from typing import Any


class RoomError(Exception):
    """A room rule was broken; nothing was applied."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class RoomFull(RoomError):
    """The room already holds its maximum number of connections."""


class NotInControl(RoomError):
    """Someone else holds control of the shared editor."""


class NotYourself(RoomError):
    """A user tried to act in another user's name (e.g. take control for them)."""


class NotTeamMember(RoomError):
    """The named user does not belong to the room's team."""


class UnknownProblem(RoomError):
    """The problem alias is not one of the session's contest."""


class UnknownCompiler(RoomError):
    """The compiler id is not one the judge offers."""


class UnknownContest(RoomError):
    """The contest id is not a loaded contest."""


class CodeTooLarge(RoomError):
    """The editor content exceeds MAX_CODE_BYTES."""
