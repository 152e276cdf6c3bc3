"""`python -m server healthcheck` (server.healthcheck): healthy when the database takes writes and the judge judges."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.app import create_app
from server.config import Config
from server.healthcheck import base_url, healthcheck
from server.judge import cgroups
from server.listen import bind_sockets
from server.runner import Serving

from .support.realserver import CONTESTS_SAMPLE, free_port, run_to_exit


async def serve(config: Config) -> AsyncIterator[Config]:
    """The real app on a free port; yields the config a healthcheck of it reads."""
    sockets = bind_sockets("127.0.0.1", 0)
    serving = Serving(create_app(config), config)
    await serving.start(sockets)
    try:
        yield dataclasses.replace(config, app_port=sockets[0].getsockname()[1])
    finally:
        await serving.stop()
        for sock in sockets:
            sock.close()


async def test_a_serving_app_is_healthy(config: Config) -> None:
    async for served in serve(config):
        assert await asyncio.to_thread(healthcheck, served) == 0


async def test_a_judge_that_does_not_judge_is_unhealthy(
    config: Config, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise cgroups.CgroupError("no cgroup hierarchy with a memory controller is mounted")

    monkeypatch.setattr(cgroups, "setup", refuse)  # a machine without cgroups: auto refuses to judge
    async for served in serve(dataclasses.replace(config, judge_isolation="auto")):
        with caplog.at_level(logging.ERROR, "server.healthcheck"):
            assert await asyncio.to_thread(healthcheck, served) == 1
    assert "the judge does not judge" in caplog.text and "cgroups" in caplog.text


def test_nothing_listening_is_unhealthy(tmp_path: Path) -> None:
    env = {"DB_PATH": str(tmp_path / "t.db"), "CONTESTS_DIR": CONTESTS_SAMPLE, "APP_PORT": str(free_port())}
    done = run_to_exit(env, "healthcheck")
    assert done.returncode == 1 and "did not answer" in done.last_line, done.output


@pytest.mark.parametrize(
    ("host", "url"), [("0.0.0.0", "http://127.0.0.1:9"), ("::", "http://[::1]:9"), ("10.1.2.3", "http://10.1.2.3:9")]
)
def test_a_wildcard_address_is_asked_on_loopback(config: Config, host: str, url: str) -> None:
    assert base_url(dataclasses.replace(config, app_host=host, app_port=9)) == url
