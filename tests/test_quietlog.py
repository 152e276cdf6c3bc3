"""Quiet logging (server.quietlog): one line per kind per interval, with a count of the rest."""

from __future__ import annotations

import asyncio
import errno
import logging

import pytest

from server.quietlog import LoopExceptionHandler, QuietLog, RequestErrorLog


def test_one_line_per_interval_then_a_summary(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    quiet = QuietLog(logging.getLogger("test.quiet"), interval=10, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, "test.quiet"):
        assert quiet.warning("a", "limit %d reached", 5)
        for _ in range(1000):
            assert not quiet.warning("a", "limit %d reached", 5)
        assert quiet.warning("b", "other")  # kinds are counted apart
        now[0] = 10.0
        assert quiet.warning("a", "limit %d reached", 5)
    assert [r.getMessage() for r in caplog.records] == [
        "limit 5 reached",
        "other",
        "limit 5 reached (1000 more like it in the last 10 s)",
    ]


def test_accept_errors_are_quiet_and_others_reach_asyncio(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.new_event_loop()
    try:
        handler = LoopExceptionHandler(logging.getLogger("test.loop"))
        exc = OSError(errno.EMFILE, "Too many open files")
        with caplog.at_level(logging.WARNING):
            for _ in range(500):  # what one turn of asyncio's accept loop can report at the limit
                handler(loop, {"message": "socket.accept() out of system resource", "exception": exc})
            handler(loop, {"message": "something else broke"})
        lines = [r.getMessage() for r in caplog.records]
        assert len(lines) == 2 and "out of system resource" in lines[0] and lines[1] == "something else broke"
    finally:
        loop.close()


def test_the_request_error_log_answers_every_logger_method() -> None:
    """aiohttp's request handler may call any Logger method on the logger it is given."""
    logger = logging.getLogger("test.request-errors")
    wrapped = RequestErrorLog(logger)
    for name in ("debug", "info", "warning", "error", "exception", "isEnabledFor", "log"):
        assert callable(getattr(wrapped, name)), name
    assert wrapped.isEnabledFor(logging.CRITICAL)
