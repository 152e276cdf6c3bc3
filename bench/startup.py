"""Start-up time with many stored rooms: process start to the first 200 from /health/ping-database.

Pre-fills a temporary database (migrated by the real Store) with N teams, N running training
sessions and N training-room snapshots whose editor holds K bytes (the rows a server that hosted
N rooms leaves behind), then starts `python -m server` on it `--runs` times and times each start.
The same is done on an empty database, so the cost of the stored rooms is visible on its own.

    python bench/startup.py --rooms 10000 --code-bytes 20480 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from benchlib import ROOT, free_port

from server.rooms.training import SessionFacts, TrainingRoom
from server.store import Store


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def prefill(db_path: Path, rooms: int, code_bytes: int) -> None:
    """Create the schema with the real Store, then insert every row in one transaction."""

    async def migrate() -> None:
        store = Store(db_path)
        await store.open()
        await store.close()

    asyncio.run(migrate())
    if rooms == 0:
        return
    now = datetime.now(UTC)
    ends = now + timedelta(hours=5)
    line = 'for (int j = 0; j < n; ++j) { s += a[j] * "x"[0]; }\n'
    body = (line * (code_bytes // len(line) + 1))[:code_bytes]
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO users (id, login, password_hash, first_name, last_name, dt_created) "
            "VALUES (1, 'bench', 'x', 'bench', 'bench', ?)",
            (_iso(now),),
        )
        teams, members, sessions, snaps = [], [], [], []
        for i in range(1, rooms + 1):
            sid = str(uuid.uuid4())
            teams.append((i, f"team {i}", 1, _iso(now)))
            members.append((i, 1, 0))
            sessions.append((sid, i, 1, "IN_PROCESS", _iso(now), None, _iso(ends)))
            room = TrainingRoom(sid, SessionFacts.of_aliases(i, 1, ["A"]))  # the snapshot exactly as written
            room.code["A"] = f"// room {i}\n{body}"[:code_bytes]
            room.controller_id = 1
            snaps.append(("training", sid, orjson.dumps(room.snapshot()).decode(), _iso(now)))
        conn.executemany("INSERT INTO teams (id, name, creator_id, dt_created) VALUES (?, ?, ?, ?)", teams)
        conn.executemany("INSERT INTO team_members (team_id, user_id, position) VALUES (?, ?, ?)", members)
        conn.executemany(
            "INSERT INTO training_sessions (id, team_id, contest_id, status, dt_created, dt_finished, ends_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            sessions,
        )
        conn.executemany("INSERT INTO room_snapshots (kind, room_id, state, dt_updated) VALUES (?, ?, ?, ?)", snaps)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _ping(port: int) -> bool:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        c.request("GET", "/health/ping-database")
        ok = c.getresponse().status == 200
        c.close()
        return ok
    except OSError:
        return False


def time_start(db_path: Path, log_path: Path, limit_s: float = 60.0) -> float:
    """Seconds from spawning `python -m server` to /health/ping-database answering 200; stops it after."""
    port = free_port()
    env = {
        **os.environ,
        "APP_HOST": "127.0.0.1",
        "APP_PORT": str(port),
        "DB_PATH": str(db_path),
        "CONTESTS_DIR": "data/contests",
        "AUTH_MODE": "token",
        "MAX_CONNECTIONS_PER_GROUP": "3",
        "LOG_LEVEL": "WARNING",
    }
    with log_path.open("ab") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "server"], cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            while not _ping(port):
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}; see {log_path}")
                if time.perf_counter() - t0 > limit_s:
                    raise TimeoutError("server did not answer in time")
                time.sleep(0.005)
            return time.perf_counter() - t0
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def measure(rooms: int, code_bytes: int, runs: int) -> dict[str, Any]:
    """Time `runs` starts on an empty database and on one holding `rooms` stored rooms."""
    out: dict[str, Any] = {"rooms": rooms, "code_bytes": code_bytes, "runs": runs}
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        folder = Path(tmp)
        for name, n in (("empty", 0), ("filled", rooms)):
            db = folder / f"{name}.db"
            t0 = time.perf_counter()
            prefill(db, n, code_bytes)
            fill_s = time.perf_counter() - t0
            times = [time_start(db, folder / "server.log") for _ in range(runs)]
            out[name] = {
                "prefill_s": fill_s,
                "db_bytes": db.stat().st_size,
                "start_s": times,
                "median_s": statistics.median(times),
                "max_s": max(times),
            }
    return out


def main(argv: list[str] | None = None) -> int:
    """Run and print the JSON result (a summary goes to stderr)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rooms", type=int, default=10_000)
    p.add_argument("--code-bytes", type=int, default=20 * 1024)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--json", dest="json_path", default=None)
    a = p.parse_args(argv)
    result = measure(a.rooms, a.code_bytes, a.runs)
    for name in ("empty", "filled"):
        r = result[name]
        print(
            f"[startup {name}] db {r['db_bytes'] / 2**20:.0f} MiB: "
            f"median {r['median_s']:.2f} s, max {r['max_s']:.2f} s",
            file=sys.stderr,
        )
    text = json.dumps(result)
    if a.json_path:
        Path(a.json_path).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
