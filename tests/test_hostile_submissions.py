"""Hostile submissions through the real app: contained by the judge while the server keeps answering."""

from __future__ import annotations

import asyncio
import time

from aiohttp.test_utils import TestClient

from server.keys import CONFIG

from .support.api import Api
from .test_submissions import Verdicts, submit

# Each program prints the right sum only when its attack FAILED, so OK proves containment.
PROBE = """
import os, socket, sys
a, b = map(int, input().split())
escaped = []
try:
    open({db!r}, "rb").read(16)
    escaped.append("read the database")
except OSError:
    pass
try:
    with open({beside!r}, "w") as f:
        f.write("pwned")
    escaped.append("wrote beside the database")
except OSError:
    pass
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
    escaped.append("reached the server")
except OSError:
    pass
print("ESCAPED: " + ", ".join(escaped) if escaped else a + b)
"""

FORK_BOMB_C = b"#include <unistd.h>\nint main(){for(;;)fork();}\n"
MEMORY_HOG_CPP = b"""#include <vector>
#include <cstdio>
int main(){std::vector<char*> v;for(;;){char*p=new char[1<<24];for(int i=0;i<(1<<24);i+=4096)p[i]=1;v.push_back(p);}}
"""


async def test_probe_cannot_read_write_or_connect(api: Api, client: TestClient) -> None:
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    db = client.app[CONFIG].db_path.resolve()
    beside = db.parent / "planted.txt"
    source = PROBE.format(db=str(db), beside=str(beside), port=client.port).encode()
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, source)
    final = await verdicts.final(run)
    full = await (await client.get(f"/training-sessions/{ts}/submissions/{run}/full", headers=alice.headers)).json()
    assert final["verdict"] == "OK", full
    assert not beside.exists()


async def test_fork_bomb_and_memory_hog_leave_the_server_responsive(api: Api, client: TestClient) -> None:
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    verdicts = Verdicts(client)
    bomb = await submit(client, alice, ts, FORK_BOMB_C, compiler="gcc_c17")
    hog = await submit(client, alice, ts, MEMORY_HOG_CPP, compiler="gcc_cpp20")
    slowest = 0.0
    judged = asyncio.gather(verdicts.final(bomb), verdicts.final(hog))
    while not judged.done():
        started = time.monotonic()
        resp = await client.get("/health/ping-database")
        assert resp.status == 200
        slowest = max(slowest, time.monotonic() - started)
        await asyncio.wait({judged}, timeout=0.05)
    bomb_final, hog_final = await judged
    assert bomb_final["verdict"] in ("TimeLimitExceeded", "IdlenessLimitExceeded", "RuntimeError")
    assert hog_final["verdict"] == "MemoryLimitExceeded"
    # generous bound: the point is that judging never blocks the event loop for long
    assert slowest < 1.0, f"a health check took {slowest:.3f}s while judging"
