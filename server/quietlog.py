"""Logging that a stranger cannot turn into a flood: one line per kind of event per interval, with a count.

asyncio logs "socket.accept() out of system resource" with a traceback for every failed accept, up to
the listen backlog per loop turn; at a descriptor limit that was 60-105 MB of log in 15 seconds. The
same holds for any event an attacker can repeat (connections refused at the cap, expired heads).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

INTERVAL = 10.0  # seconds between two lines of one kind


class QuietLog:
    """Logs the first event of a kind, then at most one summary line per interval."""

    def __init__(self, logger: logging.Logger, interval: float = INTERVAL, clock: Callable[[], float] = time.monotonic):
        self._log = logger
        self._interval = interval
        self._clock = clock
        self._next: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def warning(self, kind: str, message: str, *args: Any) -> bool:
        """Log `message % args` unless a line of this kind went out less than an interval ago; True if logged."""
        now = self._clock()
        if now < self._next.get(kind, 0.0):
            self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
            return False
        self._next[kind] = now + self._interval
        skipped = self._suppressed.pop(kind, 0)
        if skipped:
            self._log.warning(message + " (%d more like it in the last %.0f s)", *args, skipped, self._interval)
        else:
            self._log.warning(message, *args)
        return True


class LoopExceptionHandler:
    """An asyncio exception handler: resource errors of accept() logged quietly, everything else as asyncio would."""

    def __init__(self, logger: logging.Logger, interval: float = INTERVAL) -> None:
        self._quiet = QuietLog(logger, interval)

    def __call__(self, loop: Any, context: dict[str, Any]) -> None:
        """Called by the loop for errors nobody awaited."""
        message = str(context.get("message", ""))
        if "accept()" in message:
            exc = context.get("exception")
            self._quiet.warning("accept", "%s: %s (descriptors exhausted?)", message, exc)
            return
        loop.default_exception_handler(context)


class RequestErrorLog:
    """The logger aiohttp's request handler reports to: malformed requests (4xx) quietly, the rest as usual.

    aiohttp logs every request it cannot parse (a line too long, a bad header, a broken chunk) at ERROR
    with a traceback: anyone could grow the log by 600 bytes a request. Those are one line per interval.
    """

    def __init__(self, logger: logging.Logger, interval: float = INTERVAL) -> None:
        self._log = logger
        self._quiet = QuietLog(logger, interval)

    def __getattr__(self, name: str) -> Any:
        """Every other Logger method as the logger has it (aiohttp may call more than these)."""
        return getattr(self._log, name)

    def exception(self, message: str, *args: Any, exc_info: Any = True, **kw: Any) -> None:
        """As Logger.exception, but a client's malformed request is a quiet one-line warning."""
        code = getattr(exc_info, "code", None)
        if isinstance(exc_info, Exception) and isinstance(code, int) and 400 <= code < 500:
            detail = str(getattr(exc_info, "message", "") or type(exc_info).__name__).splitlines()[0][:200]
            self._quiet.warning("bad-request", "malformed HTTP request (%d): %s", code, detail)
            return
        self._log.exception(message, *args, exc_info=exc_info, **kw)
