"""Domain exceptions: a rule refused a request and nothing changed.

Services and rooms raise these; the HTTP middleware (server/http_errors.py) and the WebSocket
dispatcher (server/ws/error_codes.py) are the only places that turn them into wire errors.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused request; `details` name what was wrong (ids, fields, limits)."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class Unauthenticated(DomainError):
    """No usable credentials."""


class NotFound(DomainError):
    """No such resource (or not one the caller may know of)."""


class Forbidden(DomainError):
    """The caller is known but not allowed."""


class Conflict(DomainError):
    """The resource's state forbids this now."""


class Invalid(DomainError):
    """The request is well-formed but its values break a rule; details hold `fields` messages."""

    @classmethod
    def field(cls, name: str, *messages: str) -> Invalid:
        """An Invalid for one field."""
        return cls(f"invalid {name}", {"fields": {name: list(messages)}})


class TooLarge(DomainError):
    """A body, source or text is over its limit."""


class QuotaExceeded(Conflict):
    """A per-user or per-team quota (teams, invitations, tokens) is used up; details name the limit."""


class TooManyRequests(DomainError):
    """Too many attempts in a short time; `retry_after` seconds until the next one is allowed."""

    def __init__(self, message: str, retry_after: int, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details)
        self.retry_after = retry_after


class TooManySubmissions(TooManyRequests):
    """The team already has its JUDGE_QUEUE_PER_TEAM submissions waiting or being judged; try again later."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(
            f"your team already has {limit} submissions waiting to be judged; try again in about {retry_after} s",
            retry_after,
            {"limit": limit, "retryAfter": retry_after},
        )
        self.limit = limit


class JudgeNotReady(DomainError):
    """The judge does not judge on this server (JUDGE_ISOLATION refuses the sandbox it found)."""


class DuplicateSubmission(Conflict):
    """The session already has a submission with this source, compiler and problem."""

    def __init__(self, message: str, earlier_id: int) -> None:
        super().__init__(message, {"runId": earlier_id})
        self.earlier_id = earlier_id


# --- room rules (WebSocket messages) -------------------------------------------------------------------------


class RoomError(DomainError):
    """A room rule was broken; nothing was applied."""


class RoomFull(RoomError):
    """The room already holds its maximum number of users."""


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


class RoomCodeFull(CodeTooLarge):
    """The room's editors together would hold more than MAX_ROOM_CODE_BYTES."""
