"""JUDGE_ISOLATION: which layers a mode requires, and what the judge does without them."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from server import __main__ as server_main
from server.app import create_app
from server.config import Config
from server.judge import cgroups
from server.judge.isolation import JudgeUnavailable, decide

from .support.api import Api, error_of
from .support.submissions import SUM_PY, Verdicts, form, submit

ALL_MISSING = ("cgroups", "namespaces", "allow-list root", "uid switch", "seccomp")


@pytest.mark.parametrize(
    ("mode", "missing", "ready", "level"),
    [
        ("strict", (), True, "full"),
        ("auto", (), True, "full"),
        ("weak", (), True, "full"),
        ("auto", ("uid switch",), False, "unavailable"),
        ("auto", ALL_MISSING, False, "unavailable"),
        ("weak", ("uid switch", "cgroups"), True, "weak"),
    ],
)
def test_policy(mode: str, missing: tuple[str, ...], ready: bool, level: str) -> None:
    readiness = decide(mode, missing)
    assert (readiness.ready, readiness.level, readiness.missing) == (ready, level, missing)
    for name in missing:
        assert name in readiness.reason
    if not ready:
        assert "JUDGE_ISOLATION=weak" in readiness.reason


def test_strict_refuses_when_a_layer_is_missing() -> None:
    with pytest.raises(JudgeUnavailable, match=r"strict.*seccomp"):
        decide("strict", ("seccomp",))


def test_unknown_mode() -> None:
    with pytest.raises(ValueError, match="loose"):
        decide("loose", ())


# -- through the app: a machine without one layer (here: no usable cgroups) -----------------------


@pytest.fixture
def no_cgroups(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine, as if its kernel had no usable cgroup hierarchy."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise cgroups.CgroupError("no cgroup hierarchy with a memory controller is mounted")

    monkeypatch.setattr(cgroups, "setup", refuse)


async def _app(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config, mode: str
) -> tuple[TestClient, Api]:
    client = await aiohttp_client(create_app(dataclasses.replace(config, judge_isolation=mode)))
    return client, Api(client)


async def test_auto_refuses_submissions_without_a_layer_and_says_so(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config, no_cgroups: None
) -> None:
    client, api = await _app(aiohttp_client, config, "auto")
    health = await (await client.get("/health/ping-application")).json()
    assert health == {
        "status": "ok",
        "judge": {"isolation": "unavailable", "ready": False, "mode": "auto", "missing": ["cgroups"]},
    }
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    resp = await client.post(f"/training-sessions/{ts}/submissions", data=form(SUM_PY), headers=alice.headers)
    error = await error_of(resp, 503)
    assert error["code"] == "JUDGE_UNAVAILABLE" and "cgroups" in error["message"]
    listing = await (await client.get(f"/training-sessions/{ts}/submissions", headers=alice.headers)).json()
    assert listing["count"] == 0  # refused before anything was stored


async def test_weak_judges_without_the_layer(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config, no_cgroups: None
) -> None:
    client, api = await _app(aiohttp_client, config, "weak")
    health = await (await client.get("/health/ping-application")).json()
    assert health["judge"] == {"isolation": "weak", "ready": True, "mode": "weak", "missing": ["cgroups"]}
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, SUM_PY)
    assert (await verdicts.final(run))["verdict"] == "OK"


def test_strict_stops_the_start_with_one_line(
    config: Config, no_cgroups: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "JUDGE_ISOLATION": "strict",
        "APP_PORT": "0",
        "DB_PATH": str(config.db_path),
        "CONTESTS_DIR": str(config.contests_dir),
        "LOG_LEVEL": "CRITICAL",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert server_main.main([]) == 2  # `python -m server` with no command: serve
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "JUDGE_ISOLATION=strict" in lines[0] and "cgroups" in lines[0]
