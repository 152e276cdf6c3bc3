"""Strangers holding connections (server.connections): the cap, eviction, head and body deadlines.

The in-process tests serve the real app through server.runner.Serving (the same guard and protocol
wrapper as `python -m server`) with short deadlines and a small cap. The last test is the issue's:
1,100 half-open requests against a real server process limited to 1,024 descriptors.
"""

from __future__ import annotations

import asyncio
import dataclasses
import resource
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from server.app import create_app
from server.config import Config
from server.connections import ConnectionGuard, connection_middleware
from server.keys import CONNECTIONS
from server.listen import bind_sockets, urls
from server.runner import Serving

from .support.fuzzing import tracebacks
from .support.realserver import Caller, ServerProcess
from .support.ws import another_tab, joined

HALF_HEAD = b"GET /health/ping-application HTTP/1.1\r\nHost: trainer\r\nX-Slow: "  # never finished


@dataclasses.dataclass
class Served:
    """The app served on a real socket behind its guard."""

    serving: Serving
    url: str
    host: str
    port: int


@pytest.fixture
async def served(config: Config) -> AsyncIterator[Served]:
    """The real app with 0.5 s deadlines for heads and bodies, on 127.0.0.1."""
    config = dataclasses.replace(config, http_header_timeout=0.5, http_body_timeout=0.5)
    serving = Serving(create_app(config), config)
    sockets = bind_sockets("127.0.0.1", 0)
    await serving.start(sockets)
    url = urls(sockets)[0]
    port = int(url.rsplit(":", 1)[1])
    try:
        yield Served(serving, url, "127.0.0.1", port)
    finally:
        await serving.stop()
        for sock in sockets:
            sock.close()


async def half_open(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection that sends half a request head and then nothing."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(HALF_HEAD)
    await writer.drain()
    return reader, writer


async def closed_by_server(reader: asyncio.StreamReader, limit_s: float) -> bool:
    """True when the server ends the connection (EOF or reset) within limit_s."""
    try:
        async with asyncio.timeout(limit_s):
            while await reader.read(1024):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


async def test_a_head_never_finished_is_dropped_at_the_deadline(served: Served) -> None:
    reader, writer = await half_open(served.host, served.port)
    assert await closed_by_server(reader, 5)
    writer.close()
    assert served.serving.app[CONNECTIONS].stats.head_timeouts == 1


async def test_a_body_never_finished_is_dropped_at_the_deadline(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    reader, writer = await asyncio.open_connection(served.host, served.port)
    writer.write(
        b"POST /users HTTP/1.1\r\nHost: trainer\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    )
    await writer.drain()
    assert await closed_by_server(reader, 5)
    writer.close()
    assert served.serving.app[CONNECTIONS].stats.body_timeouts == 1
    assert not tracebacks(caplog)  # a client cut off is not a server error


async def test_at_the_cap_half_open_connections_make_room_and_busy_ones_stay(served: Served) -> None:
    guard = served.serving.app[CONNECTIONS]
    guard.header_timeout = 30  # no deadline here: only the cap makes room
    async with aiohttp.ClientSession() as rest:
        call = Caller(rest, served)  # type: ignore[arg-type]  # Caller needs .url only
        ts = (await call.team_session("busy")).session_id
    async with aiohttp.ClientSession() as sockets:
        call.http = sockets
        ws = await call.socket(ts)  # busy for its whole life: never evicted
        await joined(ws, call.user_id)
        guard.cap = guard.open + 2
        old = [await half_open(served.host, served.port) for _ in range(2)]
        async with aiohttp.ClientSession() as fresh, fresh.get(f"{served.url}/health/ping-application") as resp:
            assert resp.status == 200  # room made by dropping the oldest half-open connection
        assert await closed_by_server(old[0][0], 2)
        assert guard.stats.evicted == 1 and guard.stats.refused == 0 and not ws.closed
        for _, writer in old:
            writer.close()
        await ws.close()


class FakeTransport(asyncio.Transport):
    """Records an abort."""

    def __init__(self) -> None:
        super().__init__()
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True


async def test_with_every_connection_busy_a_newcomer_is_refused() -> None:
    guard = ConnectionGuard(cap=1, header_timeout=30)
    factory = guard.wrap(asyncio.Protocol)
    first, second = factory(), factory()
    first.connection_made(FakeTransport())
    guard.started(first.inner)  # type: ignore[attr-defined]  # a request (or a WebSocket) under way
    refused = FakeTransport()
    second.connection_made(refused)
    assert refused.aborted and guard.stats.refused == 1 and guard.open == 1
    guard.finished(first.inner)  # type: ignore[attr-defined]  # idle now: the next newcomer takes its place
    third = factory()
    third.connection_made(FakeTransport())
    assert guard.stats.evicted == 1 and guard.open == 1


@pytest.fixture
def many_descriptors() -> None:
    """This test process holds over a thousand sockets: raise its own soft limit (the server's stays 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"the hard descriptor limit ({hard}) is too low for 1,100 client sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), hard))


def limit_descriptors() -> None:
    """In the server's child process, before exec: 1,024 descriptors, soft and hard (it cannot raise them)."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


@pytest.mark.usefixtures("many_descriptors")
async def test_1100_half_open_requests_at_1024_descriptors_leave_the_server_answering(
    tmp_path: Path, contests_dir: Path
) -> None:
    env = {"DB_PATH": str(tmp_path / "trainer.db"), "CONTESTS_DIR": str(contests_dir), "HTTP_HEADER_TIMEOUT": "3"}
    server = ServerProcess(env, tmp_path / "server.log", preexec_fn=limit_descriptors)
    await server.start()
    cleanup: list[asyncio.StreamWriter] = []
    try:
        assert "(at most 768 connections)" in server.output()
        started_size = len(server.output())
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            call = Caller(http, server)
            ts = (await call.team_session("steady")).session_id
            ws = await call.socket(ts)
            await joined(ws, call.user_id)

            attackers = [await half_open("127.0.0.1", server.port) for _ in range(1100)]
            cleanup.extend(writer for _, writer in attackers)
            loop = asyncio.get_running_loop()
            for path in ("/health/ping-database", "/health/ping-application", "/contests"):
                began = loop.time()
                await call("GET", path)  # a fresh connection each time: the pool was closed by the flood
                assert loop.time() - began < 2, path
            newcomer = await call.socket(ts)  # a new WebSocket gets in too (a second tab of the same user)
            await another_tab(newcomer)
            await ws.send_str('{"type": "CODE_EDITOR_UPDATE", "payload": {"code": "still here", "problemAlias": "A"}}')
            while (msg := await ws.receive_json(timeout=5))["type"] != "CODE_EDITOR_UPDATE":
                pass
            assert msg["payload"]["code"] == "still here"  # the socket opened before the flood kept working
            async with http.get(f"{server.url}/metrics") as resp:
                metrics = await resp.text()
            assert 'trainer_http_connections_dropped_total{reason="evicted"}' in metrics

            # every half-open connection is gone by the head deadline (3 s) and some margin
            closed = await asyncio.gather(*(closed_by_server(r, 15) for r, _ in attackers))
            assert all(closed), f"{closed.count(False)} half-open connections outlived the head deadline"
            for _, writer in attackers:
                writer.close()
            await newcomer.close()
            await ws.close()
        log = server.output()[started_size:]
        assert len(log) < 20_000, log[:3000]  # was 60-105 MB in 15 s: "accept() out of system resource"
        assert log.count("out of system resource") <= 2, log[:3000]
        assert await server.stop() == 0
    finally:
        for writer in cleanup:
            writer.close()
        await server.kill()


async def test_the_guard_is_transparent_to_sendfile_and_flow_control(tmp_path: Path) -> None:
    """A file response (os.sendfile) and a large streamed body pass through the wrapper intact."""
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 16384)  # 4 MiB: the transport pauses and resumes writing

    async def file(request: web.Request) -> web.FileResponse:
        return web.FileResponse(blob)

    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"x" * 65536)
        return response

    guard = ConnectionGuard(cap=16, header_timeout=5)
    app = web.Application(middlewares=[connection_middleware(guard, 5)])
    app.router.add_get("/file", file)
    app.router.add_get("/stream", stream)
    runner = web.AppRunner(app)
    await runner.setup()
    assert runner.server is not None
    server = await asyncio.get_running_loop().create_server(guard.wrap(runner.server), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(2):  # twice on one keep-alive connection
                async with http.get(f"http://127.0.0.1:{port}/file") as resp:
                    assert await resp.read() == blob.read_bytes()
                async with http.get(f"http://127.0.0.1:{port}/stream") as resp:
                    assert len(await resp.read()) == 64 * 65536
        assert guard.stats.accepted == 1 and guard.stats.evicted == 0
    finally:
        server.close()
        await runner.cleanup()
