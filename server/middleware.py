"""One middleware that turns every failure into the JSON error body (docs/protocol.md, errors)."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, NoReturn

import marshmallow
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler
from webargs.aiohttpparser import AIOHTTPParser, is_json_request
from webargs.core import missing

from .domain.errors import DomainError
from .http_errors import (
    ApiError,
    BadRequest,
    ServiceUnavailable,
    ValidationFailed,
    api_error_response,
    domain_error_response,
    http_error_body,
)
from .jsonbody import parse_json

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
}


class ApiParser(AIOHTTPParser):
    """webargs parser whose failures are our ApiErrors instead of aiohttp's text errors."""

    def handle_error(self, error: marshmallow.ValidationError, *args: Any, **kwargs: Any) -> NoReturn:
        """Field errors become 422 with the messages, without webargs' location level."""
        messages: Any = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            (only,) = messages.values()
            if isinstance(only, dict):
                messages = only
        raise ValidationFailed("request validation failed", {"fields": messages})

    def _handle_invalid_json_error(self, error: Exception, *args: Any, **kwargs: Any) -> NoReturn:
        raise BadRequest("request body is not valid JSON", {"reason": str(error)}, code="INVALID_JSON")

    async def load_json(self, req: web.Request, schema: marshmallow.Schema) -> Any:
        """The JSON body with its depth and numbers bounded (server.jsonbody); missing when there is none."""
        if not (req.body_exists and is_json_request(req)):
            return missing
        try:
            text = await req.text()
        except UnicodeDecodeError as exc:
            self._handle_invalid_json_error(exc, req)
        if not text:
            return missing
        return parse_json(text)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render ApiError and aiohttp's HTTP errors as JSON; log and hide anything unexpected."""
    try:
        return await handler(request)
    except DomainError as exc:
        return domain_error_response(exc)
    except ApiError as exc:
        return api_error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.status == 101:
            raise
        body = http_error_body(_HTTP_CODES.get(exc.status, "HTTP_ERROR"), exc.reason)
        headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "www-authenticate")}
        return web.json_response(body, status=exc.status, headers=headers)
    except sqlite3.OperationalError as exc:
        # a full disk or a read-only/locked database file is the server's storage failing, not the request
        log.error("storage failure in %s %s: %s", request.method, request.path, exc)
        return api_error_response(ServiceUnavailable("storage is unavailable; try again"))
    except ConnectionError:
        transport = request.transport
        if transport is not None and not transport.is_closing():
            return _unexpected(request)
        # the client went away (or was cut off for a body too slow): nobody is left to answer, nothing to log
        return api_error_response(BadRequest("connection closed before the request was read"))
    except UnicodeDecodeError:
        return api_error_response(BadRequest("request body is not valid UTF-8", code="INVALID_JSON"))
    except HttpProcessingError as exc:  # malformed framing inside a body a view reads, e.g. a multipart part header
        return api_error_response(BadRequest("malformed request body", {"reason": exc.message}))
    except Exception:
        return _unexpected(request)


def _unexpected(request: web.Request) -> web.Response:
    """A bug: logged with its traceback (call from an except block), answered without one."""
    log.exception("unhandled error in %s %s", request.method, request.path)
    return web.json_response(http_error_body("INTERNAL_ERROR", "internal server error"), status=500)
