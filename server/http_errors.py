"""HTTP errors: the ones only HTTP has (unreadable bodies, storage down) and the status of each domain error.

Every failed request is answered `{"error": {"code", "message", "details"}}` (docs/protocol.md,
errors), dumped through schemas.common.ErrorSchema here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from schemas.common import DuplicateErrorSchema, ErrorSchema

from .domain.errors import (
    Conflict,
    DomainError,
    DuplicateSubmission,
    Forbidden,
    Invalid,
    JudgeNotReady,
    NotFound,
    QuotaExceeded,
    RoomError,
    TooLarge,
    TooManyRequests,
    TooManySubmissions,
    Unauthenticated,
)


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """The inner error object."""

    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


class ApiError(Exception):
    """An error of the HTTP layer itself, answered with its status and code."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, details: dict[str, Any] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code


class BadRequest(ApiError):
    """400: the request cannot be read (bad JSON, a malformed form)."""


class ValidationFailed(ApiError):
    """422: the body parsed but its fields are wrong; details hold field messages."""

    status, code = 422, "VALIDATION_ERROR"


class PayloadTooLarge(ApiError):
    """413: the body or an uploaded file is too big."""

    status, code = 413, "PAYLOAD_TOO_LARGE"


class ServiceUnavailable(ApiError):
    """503: the server's storage is failing; the request may succeed later."""

    status, code = 503, "STORAGE_UNAVAILABLE"


# Most specific first: the first class an error is an instance of decides.
_DOMAIN: tuple[tuple[type[DomainError], int, str], ...] = (
    (DuplicateSubmission, 409, "DUPLICATE_SUBMISSION"),
    (QuotaExceeded, 409, "QUOTA_EXCEEDED"),
    (TooManySubmissions, 429, "TOO_MANY_SUBMISSIONS"),
    (TooManyRequests, 429, "TOO_MANY_REQUESTS"),
    (Unauthenticated, 401, "UNAUTHORIZED"),
    (NotFound, 404, "NOT_FOUND"),
    (Forbidden, 403, "FORBIDDEN"),
    (Conflict, 409, "CONFLICT"),
    (Invalid, 422, "VALIDATION_ERROR"),
    (TooLarge, 413, "PAYLOAD_TOO_LARGE"),
    (RoomError, 422, "VALIDATION_ERROR"),
    (JudgeNotReady, 503, "JUDGE_UNAVAILABLE"),
)

_ERROR = ErrorSchema()
_DUPLICATE = DuplicateErrorSchema()


def api_error_response(error: ApiError) -> web.Response:
    """The JSON answer for an HTTP-layer error."""
    return web.json_response(_ERROR.dump(ErrorBody(error.code, error.message, error.details)), status=error.status)


def domain_error_response(error: DomainError) -> web.Response:
    """The JSON answer for a domain error: its status and code by class (429 says when to retry)."""
    for cls, status, code in _DOMAIN:
        if isinstance(error, cls):
            body = ErrorBody(code, error.message, error.details)
            dumped = _DUPLICATE.dump(body) if isinstance(error, DuplicateSubmission) else _ERROR.dump(body)
            headers = {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyRequests) else None
            return web.json_response(dumped, status=status, headers=headers)
    return web.json_response(_ERROR.dump(ErrorBody("BAD_REQUEST", error.message, error.details)), status=400)


def http_error_body(code: str, message: str) -> dict[str, Any]:
    """The body for one of aiohttp's own HTTP errors (404 for an unknown path, 405, 413)."""
    return _ERROR.dump(ErrorBody(code, message))  # type: ignore[no-any-return]
