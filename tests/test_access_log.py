"""The access log (server.access_log): secrets in query strings never reach it."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import make_mocked_request
from aiohttp.web import Response

from server.access_log import AccessLog, masked_target


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        ("/health/ping-database", "/health/ping-database"),
        (
            "/ws/training?training_session_id=ab&user_id=1&token=SECRET",
            "/ws/training?training_session_id=ab&user_id=1&token=***",
        ),
        ("/x?Access_Token=SECRET&q=a%20b", "/x?Access_Token=***&q=a%20b"),
    ],
)
def test_secrets_are_masked(target: str, logged: str) -> None:
    assert masked_target(make_mocked_request("GET", target)) == logged


def test_one_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.access")
    request = make_mocked_request("GET", "/ws/lobby?token=SECRET", headers={"User-Agent": "curl/8"})
    with caplog.at_level(logging.INFO, "test.access"):
        AccessLog(logger, "").log(request, Response(status=204), 0.0123)
    (line,) = [r.getMessage() for r in caplog.records]
    assert '"GET /ws/lobby?token=***" 204' in line and "12.3ms" in line and "SECRET" not in line
