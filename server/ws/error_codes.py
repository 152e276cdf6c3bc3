"""The one place where broken room rules become ERROR codes (the socket stays open)."""

from __future__ import annotations

from ..domain.errors import NotInControl, NotTeamMember, NotYourself, RoomError
from . import const

_CODES: dict[type[RoomError], str] = {
    NotInControl: const.NOT_IN_CONTROL,
    NotYourself: const.FORBIDDEN,
    NotTeamMember: const.FORBIDDEN,
}


def error_code(exc: RoomError) -> str:
    """The ERROR code for a broken room rule; unknown ids and sizes are INVALID_MESSAGE."""
    for cls in type(exc).__mro__:
        code = _CODES.get(cls)
        if code is not None:
            return code
    return const.INVALID_MESSAGE
