"""Faults of storage: a database that stops taking writes (a full disk), and the health check that says so.

1. The SQLite file stops taking writes (`PRAGMA max_page_count` pinned to the file's size: every write that
   needs a new page fails with SQLITE_FULL, as on a full disk): /health/ping-database answers 503 at once,
   rooms keep working, the snapshot is retried, succeeds once the fault clears, and nothing is lost across
   a restart.
2. A verdict whose write fails is written again until it lands (it used to stay "No report" until a restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient

from server.config import Config
from server.domain.records import Outcome, ProblemState, Submission
from server.keys import STORE
from server.store.snapshots import SnapshotRepository

from .support.api import Api, error_of
from .support.fuzzing import tracebacks
from .support.store import open_store
from .support.submissions import SUM_PY, form
from .support.ws import ClientFactory, frame, joined, start, training, until

Rows = list[tuple[str, str, str]]
FAST = {"rate_per_second": 1e6, "rate_burst": 1_000_000}


async def health(client: TestClient) -> int:
    """The status of /health/ping-database."""
    resp = await client.get("/health/ping-database")
    if resp.status != 200:
        assert (await error_of(resp, resp.status))["code"] == "DATABASE_UNAVAILABLE"
    return resp.status


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

    assert await health(client) == 200
    unlimited = await set_max_pages(client, 1)  # SQLite keeps the current size: no write may grow the file now
    assert await health(client) == 503  # seen before any write fails: the file cannot grow
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
    assert await health(client) == 200
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


async def test_health_recovers_when_the_fault_clears_even_if_nothing_else_writes(tmp_path: Path) -> None:
    """The failed write's error must not outlive the fault: an idle server (health failing, so no traffic
    routed to it) would otherwise report the full disk forever."""
    store = await open_store(tmp_path / "full.db")
    try:
        (limit,) = await (await store.db.conn.execute("PRAGMA max_page_count")).fetchone()  # type: ignore[misc]
        await store.db.conn.execute("PRAGMA max_page_count = 1")
        with pytest.raises(sqlite3.OperationalError, match="full"):
            await store.snapshots.save_many([("training", "s", "x" * 200_000)])
        await store.db.conn.execute(f"PRAGMA max_page_count = {int(limit)}")  # space again
        assert await store.db.unwritable() is None
    finally:
        await store.close()


# --- 2. a verdict whose write fails -------------------------------------------------------------------------


class RecordSpy:
    """Wraps the live `submissions.record`: the first call happens with the writer refusing writes."""

    def __init__(self, client: TestClient) -> None:
        self.store = client.app[STORE]  # type: ignore[index]
        self.inner: Callable[[Submission, Outcome], Awaitable[ProblemState | None]] = self.store.submissions.record
        self.failed = asyncio.Event()
        self.store.submissions.record = self.record  # type: ignore[method-assign]  # looked up per call

    async def record(self, submission: Submission, outcome: Outcome) -> ProblemState | None:
        """The real write; the first time with the database read-only (as a failing disk leaves it)."""
        if self.failed.is_set():
            return await self.inner(submission, outcome)
        await self.store.db.conn.execute("PRAGMA query_only = ON")
        try:
            return await self.inner(submission, outcome)
        finally:
            self.failed.set()


async def test_a_verdict_whose_write_fails_is_written_when_storage_recovers(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    client = await start(aiohttp_client, config)
    api = Api(client)
    alice = await api.register()
    team = await api.team(alice)
    ts = (await api.session(alice, team["id"]))["id"]
    spy = RecordSpy(client)
    ws = await training(client, alice, ts)
    await joined(ws, alice.id)
    resp = await client.post(f"/training-sessions/{ts}/submissions", data=form(SUM_PY), headers=alice.headers)
    assert resp.status == 201, await resp.text()
    run = (await resp.json())["runId"]

    async with asyncio.timeout(30):
        await spy.failed.wait()
    assert await health(client) == 503  # the failed write is remembered until a write succeeds
    got = await client.get(f"/training-sessions/{ts}/submissions/{run}", headers=alice.headers)
    assert (await got.json())["verdict"] == "No report"
    await spy.store.db.conn.execute("PRAGMA query_only = OFF")  # the disk is writable again

    while (verdict := await until(ws, "SUBMISSION_VERDICT_RETRIEVED"))["payload"]["verdict"] == "No report":
        pass  # the acceptance's announcement; the verdict is announced only once stored
    assert verdict["payload"]["verdict"] == "OK", verdict
    got = await client.get(f"/training-sessions/{ts}/submissions/{run}", headers=alice.headers)
    assert (await got.json())["verdict"] == "OK"
    assert client.app[STORE] is spy.store and await health(client) == 200  # type: ignore[index]
    await ws.close()
