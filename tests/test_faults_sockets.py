"""Faults of sockets: a client that stops reading, and connection churn.

1. A client that never reads is closed without delaying the others.
2. 200 connect/disconnect cycles (join and leave, room full, refused handshake, second tab, binary frame)
   leave no rooms, connections, tasks or memory behind.

Strangers holding connections open (slowloris) are in test_connections.py.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import os
import socket
import tracemalloc
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from server.config import Config
from server.keys import ROOMS, WS_HUB
from server.ws.connection import Connection

from .support.api import Account, Api
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

FAST = {"rate_per_second": 1e6, "rate_burst": 1_000_000}


# --- 1. a client that stops reading -------------------------------------------------------------------------


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


# --- 2. connection churn --------------------------------------------------------------------------------------


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
