"""The server process (server.runner): start-up failures, one server per database, listening, signals, SIGHUP.

Every start-up failure ends within seconds with exit 2 (the value is wrong) or 1 (the machine refused
it), a last line naming the cause and the variable, no traceback and no thread left waiting (the
process exits at all: it used to wait forever for aiosqlite's threads).
"""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from server.contests.loader import ReloadReport
from server.runner import FORCE_AFTER, FORCE_AT, Signals, describe_reload

from .support.packages import write_contest
from .support.realserver import ROOT, Caller, ServerProcess, free_port, run_to_exit

CONTESTS = str(ROOT / "data" / "contests")


@pytest.fixture
def listening() -> Iterator[int]:
    """A port someone else listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def failure_env(case: str, tmp_path: Path, port: int) -> tuple[dict[str, str], int, str]:
    """Environment, expected exit code and variable of one start-up failure."""
    db = tmp_path / "db" / "trainer.db"
    env = {"DB_PATH": str(db), "CONTESTS_DIR": CONTESTS, "APP_HOST": "127.0.0.1", "APP_PORT": "0"}
    if case == "port in use":
        return env | {"APP_PORT": str(port)}, 1, "APP_PORT"
    if case == "unresolvable host":
        return env | {"APP_HOST": "trainer.invalid"}, 2, "APP_HOST"
    if case == "foreign address":
        return env | {"APP_HOST": "192.0.2.1"}, 2, "APP_HOST"  # TEST-NET-1: never an address of this machine
    if case == "folder is a file":
        (tmp_path / "file").write_text("x")
        return env | {"DB_PATH": str(tmp_path / "file" / "trainer.db")}, 2, "DB_PATH"
    if case == "database is a folder":
        db.mkdir(parents=True)
        return env, 2, "DB_PATH"
    if case == "not a database":  # opened by aiosqlite, refused by SQLite: its thread must end too
        db.parent.mkdir()
        db.write_bytes(b"not sqlite " * 100)
        return env, 2, "DB_PATH"
    if case == "judge cannot start":  # no gcc to build the sandbox's launcher: the app is half started
        return env | {"PATH": "/nonexistent"}, 1, "the judge cannot start"
    raise ValueError(case)


@pytest.mark.parametrize(
    "case",
    [
        "port in use",
        "unresolvable host",
        "foreign address",
        "folder is a file",
        "database is a folder",
        "not a database",
        "judge cannot start",
    ],
)
def test_a_failed_start_ends_within_seconds_with_one_line(case: str, tmp_path: Path, listening: int) -> None:
    env, code, variable = failure_env(case, tmp_path, listening)
    done = run_to_exit(env)
    assert done.returncode == code, done.output
    assert done.seconds < 10, done.output
    assert done.last_line.startswith("cannot start: "), done.output
    assert variable in done.last_line, done.output
    assert "Traceback" not in done.output and "Exception in thread" not in done.output, done.output


async def test_a_second_server_on_the_same_database_is_refused(tmp_path: Path) -> None:
    env = {"DB_PATH": str(tmp_path / "trainer.db"), "CONTESTS_DIR": CONTESTS}
    first = ServerProcess(env, tmp_path / "first.log")
    await first.start()
    try:
        second = await asyncio.to_thread(run_to_exit, env | {"APP_PORT": str(free_port())})
        assert second.returncode == 1, second.output
        assert "DB_PATH" in second.last_line and "in use by another server" in second.last_line, second.output
        assert f"pid {first.proc.pid}" in second.last_line  # type: ignore[union-attr]
        async with aiohttp.ClientSession() as http, http.get(f"{first.url}/health/ping-database") as resp:
            assert resp.status == 200  # the first one never noticed
    finally:
        await first.stop()
    third = ServerProcess(env, tmp_path / "third.log")  # the lock went with the first server
    await third.start()
    await third.stop()


async def test_port_zero_logs_the_port_sighup_reloads_and_sigterm_stops(tmp_path: Path) -> None:
    contests = tmp_path / "contests"
    contests.mkdir()
    write_contest(contests, 1, "Warm-up", 18000, "AB")
    env = {"DB_PATH": str(tmp_path / "trainer.db"), "CONTESTS_DIR": str(contests)}
    server = ServerProcess(env, tmp_path / "server.log", port=0)
    await server.start()  # reads the port from the "listening on http://127.0.0.1:PORT" line
    try:
        assert server.output().count(" listening on ") == 1
        async with aiohttp.ClientSession() as http:
            call = Caller(http, server)
            await call.register("watcher")
            assert [c["id"] for c in await call("GET", "/contests")] == ["1"] or len(
                await call("GET", "/contests")
            ) == 1
            write_contest(contests, 2, "Added", 3600, "A")
            server.send(signal.SIGHUP)
            out = await server.wait_for_output("contests reloaded: ")
            assert "contests reloaded: new [2], reloaded [1]" in out, out[-2000:]
            assert len(await call("GET", "/contests")) == 2
        assert await server.stop(signal.SIGTERM) == 0
        assert server.output().rstrip().endswith("stopped")
    finally:
        await server.kill()


def test_a_burst_of_stop_signals_is_one_and_a_late_third_exits_at_once() -> None:
    loop = asyncio.new_event_loop()
    exits: list[int] = []
    now = [100.0]
    try:
        signals = Signals(loop, on_reload=lambda: None, exit_now=exits.append, clock=lambda: now[0])
        signals.on_stop_signal(signal.SIGTERM)
        assert signals.stop.is_set() and exits == []
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGTERM):  # what `make run` forwards: ignored
            signals.on_stop_signal(sig)
        assert exits == [] and signals.received == FORCE_AT + 1
        now[0] += FORCE_AFTER  # someone insists, seconds later
        signals.on_stop_signal(signal.SIGINT)
        assert exits == [128 + signal.SIGINT]
    finally:
        loop.close()


def test_sighup_during_shutdown_reloads_nothing() -> None:
    loop = asyncio.new_event_loop()
    reloads: list[int] = []
    try:
        signals = Signals(loop, on_reload=lambda: reloads.append(1))
        signals.on_reload_signal()
        signals.shutting_down = True
        signals.on_reload_signal()
        assert reloads == [1]
    finally:
        loop.close()


def test_a_reload_is_described_by_what_changed() -> None:
    report = ReloadReport(loaded=[1, 3], removed=[2], kept=[4], failed={"broken": ["no contest.yaml"]})
    assert describe_reload({1, 2, 4}, report) == (
        "new [3], reloaded [1], removed [2], kept old [4], broken broken: no contest.yaml"
    )
    assert describe_reload(set(), ReloadReport()) == "no contests"


def _send_raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        return sock.recv(200)


async def test_malformed_requests_from_strangers_are_answered_400_and_logged_quietly(tmp_path: Path) -> None:
    # aiohttp logs every malformed request at ERROR with a traceback: a stranger grew the log by 0.6 KB a request
    server = ServerProcess({"DB_PATH": str(tmp_path / "trainer.db"), "CONTESTS_DIR": CONTESTS}, tmp_path / "s.log")
    await server.start()
    try:
        before = len(server.output())
        bad = [
            b"GET /" + b"A" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
            b"POST /users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n\r\n",
            b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        ]
        for _ in range(50):
            for request in bad:
                answer = await asyncio.to_thread(_send_raw, server.port, request)
                assert answer.split(b"\r\n", 1)[0].endswith(b" 400 Bad Request"), answer
        async with aiohttp.ClientSession() as http, http.get(f"{server.url}/health/ping-application") as resp:
            assert resp.status == 200
        grown = server.output()[before:]
        assert "Traceback" not in grown and len(grown) < 2000, grown[:3000]
        assert "malformed HTTP request" in grown
    finally:
        await server.stop()
