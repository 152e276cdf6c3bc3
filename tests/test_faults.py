"""Faults: a full database, a client that stops reading, connection churn, and SIGTERM under load.

1. The SQLite file stops taking writes (`PRAGMA max_page_count` pinned to the file's size: every write that
   needs a new page fails with SQLITE_FULL, as on a full disk): rooms keep working, the snapshot is retried,
   succeeds once the fault clears, and nothing is lost across a restart.
2. A client that never reads is closed without delaying the others.
3. 200 connect/disconnect cycles (join and leave, room full, refused handshake, second tab, binary frame)
   leave no rooms, connections, tasks or memory behind.
4. SIGTERM to a real server process under load: every comment and submission answered 201 is there after the
   restart, and the last editor content acknowledged over the socket too.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import io
import os
import signal
import socket
import sqlite3
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from server.config import Config
from server.keys import ROOMS, STORE, WS_HUB
from server.store.snapshots import SnapshotRepository
from server.ws.connection import Connection

from .support.api import Account, Api
from .support.fuzzing import tracebacks
from .support.packages import write_contest
from .support.realserver import ServerProcess
from .support.store import open_store
from .support.ws import (
    ClientFactory,
    another_tab,
    closed_with,
    frame,
    joined,
    lobby,
    next_json,
    start,
    sync,
    training,
    until,
)

Rows = list[tuple[str, str, str]]
FAST = {"rate_per_second": 1e6, "rate_burst": 1_000_000}


# --- 1. the database stops taking writes ---------------------------------------------------------------------


class SaveSpy:
    """Wraps the live snapshot repository: each save attempt's rows and outcome go to a queue the test awaits."""

    def __init__(self, repo: SnapshotRepository) -> None:
        self.inner = repo.save_many
        self.outcomes: asyncio.Queue[tuple[Rows, BaseException | None]] = asyncio.Queue()
        repo.save_many = self.save_many  # type: ignore[method-assign]  # the Snapshotter looks it up per call

    async def save_many(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """The real save, reported."""
        try:
            await self.inner(rows)
        except Exception as exc:
            self.outcomes.put_nowait((list(rows), exc))
            raise
        self.outcomes.put_nowait((list(rows), None))

    async def next(self, failed: bool, room_id: str) -> Rows:
        """Wait for the next save attempt of the room that failed (or succeeded); returns its rows."""
        async with asyncio.timeout(10):
            while True:
                rows, exc = await self.outcomes.get()
                if (exc is not None) == failed and any(r[1] == room_id for r in rows):
                    return rows


def code_in(rows: Rows, room_id: str) -> dict[str, str]:
    """The editor contents a snapshot row of the room holds."""
    (state,) = [orjson.loads(text) for _, rid, text in rows if rid == room_id]
    return state["code"]  # type: ignore[no-any-return]


async def set_max_pages(client: TestClient, pages: int) -> int:
    """Pin (or free) the database size on the app's own connection; returns the previous limit."""
    conn = client.app[STORE].db.conn  # type: ignore[index]
    async with conn.execute("PRAGMA max_page_count") as cur:
        row = await cur.fetchone()
    await conn.execute(f"PRAGMA max_page_count = {int(pages)}")
    return int(row[0]) if row else 0


async def echo_code(sender: Any, others: list[Any], code: str, alias: str = "A") -> None:
    """Send an editor update and see it applied for everyone."""
    await sender.send_str(frame("CODE_EDITOR_UPDATE", code=code, problemAlias=alias))
    for ws in (sender, *others):
        got = await until(ws, "CODE_EDITOR_UPDATE")
        assert got["payload"]["code"] == code


async def test_a_full_database_delays_snapshots_but_loses_nothing(
    aiohttp_client: ClientFactory, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    client = await start(aiohttp_client, config, **FAST)
    api = Api(client)
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    team = await api.team(alice, bob, carol)
    ts = (await api.session(alice, team["id"]))["id"]
    spy = SaveSpy(client.app[STORE].snapshots)  # type: ignore[index]
    a, b = await training(client, alice, ts), await training(client, bob, ts)
    await joined(a, alice.id)
    await joined(b, bob.id)
    await echo_code(a, [b], "v0")
    assert code_in(await spy.next(failed=False, room_id=ts), ts)["A"] == "v0"

    unlimited = await set_max_pages(client, 1)  # SQLite keeps the current size: no write may grow the file now
    big = [f"{i}:" + os.urandom(90_000).hex() for i in range(4)]  # 180 kB each: every version needs new pages
    await echo_code(a, [b], big[0])
    await spy.next(failed=True, room_id=ts)
    for code in big[1:]:  # the room works on: every update applied, echoed, readable, shown to newcomers
        await echo_code(a, [b], code)
        resp = await client.get(f"/training-sessions/{ts}/code/A", headers=carol.headers)
        assert (await resp.json())["code"] == code
    await spy.next(failed=True, room_id=ts)  # and the snapshot is retried, failing while the fault lasts
    c = await training(client, carol, ts)
    assert (await joined(c, carol.id))["code"]["A"] == big[-1]

    await set_max_pages(client, unlimited)
    assert code_in(await spy.next(failed=False, room_id=ts), ts)["A"] == big[-1]
    stored = await client.app[STORE].snapshots.load_one("training", ts)  # type: ignore[index]
    assert stored is not None and orjson.loads(stored)["code"]["A"] == big[-1]
    noise = [t for t in tracebacks(caplog) if "room snapshot failed" not in t]
    assert not noise, noise
    for ws in (a, b, c):
        await ws.close()
    await client.close()

    with contextlib.closing(sqlite3.connect(config.db_path)) as db:  # the failed transactions left a sound file
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = await start(aiohttp_client, config)
    ws = await training(again, alice, ts)
    assert (await joined(ws, alice.id))["code"]["A"] == big[-1]
    await ws.close()


async def test_a_full_disk_is_reported_as_such(tmp_path: Path) -> None:
    """The error a write gets on a full database names the full database."""
    store = await open_store(tmp_path / "full.db")
    try:
        await store.db.conn.execute("PRAGMA max_page_count = 1")
        with pytest.raises(sqlite3.OperationalError, match="full"):
            await store.snapshots.save_many([("training", "s", "x" * 200_000)])
    finally:
        await store.close()


# --- 2. a client that stops reading -------------------------------------------------------------------------


async def stuck_socket(
    client: TestClient, account: Account, session_id: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A WebSocket handshake on a raw socket with a tiny receive buffer; after the 101 nothing is ever read."""
    host, port = str(client.server.host), int(client.server.port)  # type: ignore[arg-type]
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, port))
    reader, writer = await asyncio.open_connection(sock=sock, limit=1024)  # pauses reading past 2 kB buffered
    key = base64.b64encode(os.urandom(16)).decode()
    path = f"/ws/training?training_session_id={session_id}&user_id={account.id}&token={account.token}"
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer  # keep the writer referenced: collecting it would close the socket


def connection_of(client: TestClient, user_id: str) -> Connection:
    """The server-side connection of a user."""
    (conn,) = [c for c in client.app[WS_HUB].connections if str(c.user.id) == user_id]  # type: ignore[index]
    return conn


async def test_a_client_that_stops_reading_is_dropped_without_delaying_others(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    limits = {"outbound_max_messages": 16, "outbound_max_bytes": 4 << 20, "close_timeout": 2.0, "flush_timeout": 1.0}
    client = await start(aiohttp_client, config, **FAST, **limits)
    api = Api(client)
    alice, bob, sam = await api.register(), await api.register(), await api.register()
    team = await api.team(alice, bob, sam)
    ts = (await api.session(alice, team["id"]))["id"]
    a, b = await training(client, alice, ts), await training(client, bob, ts)
    await joined(a, alice.id)
    await joined(b, bob.id)
    await until(a, "USER_JOIN")  # bob's
    stuck, stuck_writer = await stuck_socket(client, sam, ts)
    await until(a, "USER_JOIN")
    await until(b, "USER_JOIN")
    server_side = connection_of(client, sam.id)

    loop = asyncio.get_running_loop()
    slowest, left = 0.0, set()
    for i in range(200):  # about 50 are enough to fill the kernel buffers and the 16-frame queue
        started = loop.time()
        code = f"{i}:" + "x" * 100_000
        await a.send_str(frame("CODE_EDITOR_UPDATE", code=code, problemAlias="A"))
        for ws, name in ((a, "a"), (b, "b")):
            while (got := await next_json(ws))["type"] != "CODE_EDITOR_UPDATE":
                assert got == {"type": "USER_LEAVE", "payload": {"userId": sam.id}}, got
                left.add(name)
            assert got["payload"]["code"] == code
        slowest = max(slowest, loop.time() - started)
        if server_side.closing and left == {"a", "b"}:
            break
    else:
        raise AssertionError(f"the stalled client was never dropped ({server_side.writer.queued} frames queued)")
    # A stalled peer held nobody up: far below the close timeout the server would wait on a blocking send.
    assert slowest < 1.0, slowest
    async with asyncio.timeout(15):
        await server_side.wait_closed()
        with contextlib.suppress(ConnectionResetError):  # an abort (RST) ends it as well as a close (EOF)
            while await stuck.read(1 << 16):  # the server ends the TCP connection: reading now reaches its end
                pass
    stuck_writer.close()
    assert int(sam.id) not in {u.id for u in client.app[ROOMS].find_training(ts).users()}  # type: ignore[union-attr]
    assert await sync(a, alice.id) == []


# --- 3. connection churn --------------------------------------------------------------------------------------


class Churner:
    """Opens sockets through its own ClientSession: TestClient keeps every socket it opened until its end."""

    KINDS = 5

    def __init__(self, client: TestClient, alice: Account, team_id: int, ts: str, watcher: Any) -> None:
        self.client, self.alice, self.team_id, self.ts, self.watcher = client, alice, team_id, ts, watcher
        self.http = aiohttp.ClientSession()

    async def open(self, path: str, token: bool = True, **params: Any) -> aiohttp.ClientWebSocketResponse:
        """A socket for alice."""
        query = {k: str(v) for k, v in params.items()} | {"user_id": self.alice.id}
        if token:
            query["token"] = self.alice.token
        return await self.http.ws_connect(self.client.make_url(path), params=query)

    async def left(self) -> None:
        """The watcher in the training room sees alice leave."""
        assert await until(self.watcher, "USER_LEAVE") == {"type": "USER_LEAVE", "payload": {"userId": self.alice.id}}

    async def once(self, i: int) -> None:
        """One cycle: join and leave, a full room, a refused handshake, a second tab, or a binary frame."""
        kind, alice = i % self.KINDS, self.alice
        if kind == 1:  # the lobby is full (capacity 2: bob and carol are in it)
            ws = await self.open("/ws/lobby", team_id=self.team_id)
            assert await closed_with(ws) == (1008, "room is full")
            await ws.close()
            return
        if kind == 2:
            ws = await self.open("/ws/training", token=False, training_session_id=self.ts)
            assert await closed_with(ws) == (1008, "missing token")
            await ws.close()
            return
        ws = await self.open("/ws/training", training_session_id=self.ts)
        await joined(ws, alice.id)
        await until(self.watcher, "USER_JOIN")
        if kind == 3:  # a second tab, then the first closes: alice stays online
            newer = await self.open("/ws/training", training_session_id=self.ts)
            await another_tab(newer)
            await ws.close()
            ws = newer
        if kind == 4:
            await ws.send_bytes(b"\x00")
            assert await closed_with(ws) == (1003, "binary frames are not supported")
        await ws.close()
        await self.left()


def live_tasks() -> int:
    """Tasks of this loop that are not done."""
    return len([t for t in asyncio.all_tasks() if not t.done()])


async def test_connection_churn_leaves_nothing_behind(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await start(aiohttp_client, config, **FAST, max_connections_per_group=2)
    api = Api(client)
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    team = await api.team(alice, bob, carol)
    ts = (await api.session(alice, team["id"]))["id"]
    watcher = await training(client, bob, ts)
    lobby_b, lobby_c = await lobby(client, bob, team["id"]), await lobby(client, carol, team["id"])
    for ws, who in ((watcher, bob), (lobby_b, bob), (lobby_c, carol)):
        await joined(ws, who.id)
    hub, registry = client.app[WS_HUB], client.app[ROOMS]  # type: ignore[index]
    churn = Churner(client, alice, team["id"], ts, watcher)

    async def settle() -> None:
        # A round trip after the last close: the server is done with every socket closed before it.
        assert {f["type"] for f in await sync(watcher, bob.id)} <= {"USER_JOIN", "USER_LEAVE"}

    try:
        for i in range(20):  # warm-up: rooms, caches and lazily built objects exist from here on
            await churn.once(i)
        await settle()
        rooms_before, tasks_before = {r.key for r in registry}, live_tasks()
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            for i in range(20, 200):
                await churn.once(i)
            await settle()
            gc.collect()
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
    finally:
        await churn.http.close()

    assert {r.key for r in registry} == rooms_before, "rooms were created and kept"
    online = {room.key: sorted(u.id for u in room.users()) for room in registry}
    assert online == {("lobby", str(team["id"])): sorted([int(bob.id), int(carol.id)]), ("training", ts): [int(bob.id)]}
    assert len(hub.connections) == 3, "a closed socket is still registered"
    assert live_tasks() <= tasks_before + 2, f"{live_tasks() - tasks_before} tasks more after 180 cycles"
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    # About 25 kB of noise here; one leaked request per refused or closed socket is some 10 kB each.
    assert growth < 200 * 1024, "\n".join(str(s) for s in after.compare_to(before, "lineno")[:15])
    for ws in (watcher, lobby_b, lobby_c):
        await ws.close()


# --- 4. SIGTERM under load ------------------------------------------------------------------------------------

SUM_PY = b"a, b = map(int, input().split())\nprint(a + b)\n"


class Load:
    """Concurrent comment and submission posters plus an editor, recording what the server acknowledged."""

    def __init__(self, http: aiohttp.ClientSession, url: str, token: str, ts: str) -> None:
        self.http, self.url, self.ts = http, url, ts
        self.headers = {"Authorization": f"OAuth {token}"}
        self.comments: set[str] = set()
        self.runs: set[int] = set()
        self.statuses: list[int] = []
        self.last_code: str | None = None  # the last text whose echo came back (acknowledged)
        self.last_sent: str | None = None  # sent, maybe applied (possibly after its socket closed)
        self.enough = asyncio.Event()

    def _acknowledged(self) -> None:
        if len(self.comments) >= 100 and len(self.runs) >= 3:
            self.enough.set()

    async def submission(self) -> int:
        """Post one submission of a correct solution (each a new source: repeats are refused); returns the status."""
        form = aiohttp.FormData()
        source = SUM_PY + f"# {len(self.statuses)}\n".encode()
        form.add_field("file", io.BytesIO(source), filename="main.py")
        form.add_field("compiler", "python3_docker")
        form.add_field("problem", "A")
        url = f"{self.url}/training-sessions/{self.ts}/submissions"
        async with self.http.post(url, data=form, headers=self.headers) as resp:
            self.statuses.append(resp.status)
            if resp.status == 201:
                self.runs.add((await resp.json())["runId"])
                self._acknowledged()
            return resp.status

    async def submit(self) -> None:
        """A few submissions (each is judged, so keep it short) until the server is gone."""
        for _ in range(6):
            try:
                await self.submission()
            except aiohttp.ClientError:
                return

    async def comment(self, worker: int) -> None:
        """Post comments until the server is gone."""
        url = f"{self.url}/training-sessions/{self.ts}/problem/A/comments"
        for i in range(100_000):
            try:
                async with self.http.post(url, json={"content": f"w{worker} #{i}"}, headers=self.headers) as resp:
                    self.statuses.append(resp.status)
                    if resp.status == 201:
                        self.comments.add((await resp.json())["id"])
                        self._acknowledged()
            except aiohttp.ClientError:
                return  # refused or cut off: not acknowledged, and the server is going away

    async def edit(self, ws: aiohttp.ClientWebSocketResponse) -> int | None:
        """Send editor updates, each after the echo of the previous one; returns the close code."""
        for i in range(1_000_000):
            self.last_sent = f"print({i})"
            await ws.send_str(frame("CODE_EDITOR_UPDATE", code=self.last_sent, problemAlias="A"))
            while True:
                msg = await ws.receive(timeout=30)
                if msg.type is not WSMsgType.TEXT:
                    return ws.close_code
                got = orjson.loads(msg.data)
                if got["type"] == "CODE_EDITOR_UPDATE":
                    self.last_code = got["payload"]["code"]
                    break
        return None


class Caller:
    """JSON calls to a real server process that must succeed."""

    def __init__(self, http: aiohttp.ClientSession, server: ServerProcess) -> None:
        self.http, self.server = http, server
        self.token = self.user_id = ""

    async def __call__(self, method: str, path: str, **kw: Any) -> Any:
        """One call; asserts a 2xx answer and returns its JSON."""
        headers = {"Authorization": f"OAuth {self.token}"} if self.token else {}
        async with self.http.request(method, self.server.url + path, headers=headers, **kw) as resp:
            assert resp.status < 300, await resp.text()
            return await resp.json()

    async def socket(self, ts: str) -> aiohttp.ClientWebSocketResponse:
        """A training-room socket."""
        params = {"training_session_id": ts, "user_id": self.user_id, "token": self.token}
        return await self.http.ws_connect(f"{self.server.url}/ws/training", params=params)


async def test_sigterm_under_load_loses_nothing_acknowledged(tmp_path: Path) -> None:
    contests = tmp_path / "contests"
    contests.mkdir()
    write_contest(contests, 1, "Warm-up", 18000, "AB")
    env = {
        "DB_PATH": str(tmp_path / "db" / "trainer.db"),
        "CONTESTS_DIR": str(contests),
        "SNAPSHOT_INTERVAL": "30",  # long: the editor content must come from the final snapshot at SIGTERM
        "JUDGE_WORKERS": "1",
    }
    server = ServerProcess(env, tmp_path / "server.log")
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            call = Caller(http, server)
            reg = await call("POST", "/users", json={"login": "loaded", "password": "secret-pw"})
            call.token, call.user_id = reg["token"], reg["user"]["id"]
            team = await call("POST", "/teams", json={"name": "Load"})
            ts = (await call("POST", "/training-sessions", json={"team_id": team["id"], "contest_id": 1}))["id"]
            load = Load(http, server.url, call.token, ts)
            if (status := await load.submission()) != 201:
                pytest.skip(f"POST /training-sessions/{{ts}}/submissions answers {status}: the judge is not wired")
            ws = await call.socket(ts)
            posters = [asyncio.create_task(load.comment(w)) for w in range(8)] + [asyncio.create_task(load.submit())]
            editor = asyncio.create_task(load.edit(ws))
            async with asyncio.timeout(60):
                await load.enough.wait()
            assert await server.stop(signal.SIGTERM, limit_s=60) == 0, server.output()[-3000:]
            async with asyncio.timeout(30):
                await asyncio.gather(*posters)
                assert await editor == 1001  # every socket closed "going away" before the final snapshot
            await ws.close()
            assert not [s for s in load.statuses if s >= 500], load.statuses
            assert "final room snapshot: 1 rooms written" in server.output()

            await server.start()
            stored = await call("GET", f"/training-sessions/{ts}/problem/A/comments")
            assert load.comments <= {c["id"] for c in stored}, "an acknowledged comment was lost"
            # the acknowledged text, or the one sent after it: a frame received before the close is applied
            # even when its echo could no longer be delivered (editor updates are never lost)
            stored = (await call("GET", f"/training-sessions/{ts}/code/A"))["code"]
            assert stored in (load.last_code, load.last_sent), (stored, load.last_code, load.last_sent)
            room = await call.socket(ts)
            async with asyncio.timeout(60):  # submissions cut short by the stop are judged after the start
                while True:
                    listing = await call("GET", f"/training-sessions/{ts}/submissions")
                    verdicts = {s["id"]: s["verdict"] for s in listing["submissions"]}
                    assert load.runs <= set(verdicts), "an acknowledged submission was lost"
                    if all(verdicts[r] != "No report" for r in load.runs):
                        break
                    await until(room, "SUBMISSION_VERDICT_RETRIEVED")
            assert {verdicts[r] for r in load.runs} == {"OK"}
            await room.close()
    finally:
        if server.proc is not None and server.proc.returncode is None:
            await server.stop(signal.SIGKILL)
