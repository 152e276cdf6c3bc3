"""Domain-neutral API errors: each knows its HTTP status and wire code (SPEC §4)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered as `{"error": {"code", "message", "details"}}`."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(
        self,
        message: str,
        details: dict[str, Any] | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.headers = headers or {}  # e.g. Retry-After
        if code is not None:
            self.code = code

    def to_wire(self) -> dict[str, Any]:
        """The JSON error body."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(ApiError):
    """400: the request cannot be read."""


class Unauthorized(ApiError):
    """401: no usable credentials."""

    status, code = 401, "UNAUTHORIZED"


class Forbidden(ApiError):
    """403: authenticated, but not allowed."""

    status, code = 403, "FORBIDDEN"


class NotFound(ApiError):
    """404: no such resource."""

    status, code = 404, "NOT_FOUND"


class Conflict(ApiError):
    """409: the resource's state forbids this."""

    status, code = 409, "CONFLICT"


class PayloadTooLarge(ApiError):
    """413: the body or an uploaded file is too big."""

    status, code = 413, "PAYLOAD_TOO_LARGE"


class ValidationFailed(ApiError):
    """422: the body parsed but its fields are wrong; details hold field messages."""

    status, code = 422, "VALIDATION_ERROR"


class TooManyRequests(ApiError):
    """429: the caller must wait before trying again (the answer says how long in Retry-After)."""

    status, code = 429, "TOO_MANY_REQUESTS"


class ServiceUnavailable(ApiError):
    """503: the server's storage is failing; the request may succeed later."""

    status, code = 503, "STORAGE_UNAVAILABLE"
