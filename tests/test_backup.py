"""`python -m server backup PATH` (server.backup): a consistent copy while the server writes."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import stat
from pathlib import Path

import aiohttp

from .support.realserver import ROOT, Caller, ServerProcess, run_to_exit

CONTESTS = str(ROOT / "data" / "contests")


async def test_a_backup_taken_while_the_server_writes_is_consistent(tmp_path: Path) -> None:
    db = tmp_path / "db" / "trainer.db"
    env = {"DB_PATH": str(db), "CONTESTS_DIR": CONTESTS}
    server = ServerProcess(env, tmp_path / "server.log")
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            call = Caller(http, server)
            await call.register("kept")
            team = await call("POST", "/teams", json={"name": "Backed up"})
            ts = (await call("POST", "/training-sessions", json={"team_id": team["id"], "contest_id": 1}))["id"]
            stop = asyncio.Event()

            async def write() -> int:  # comments keep landing during the copy
                count = 0
                while not stop.is_set():
                    await call("POST", f"/training-sessions/{ts}/problem/A/comments", json={"content": f"c{count}"})
                    count += 1
                return count

            writer = asyncio.create_task(write())
            copy = tmp_path / "backups" / "copy.db"
            env_now = env | {"APP_PORT": str(server.port)}
            done = await asyncio.to_thread(run_to_exit, env_now, "backup", str(copy))
            stop.set()
            written = await writer
            assert done.returncode == 0, done.output
            assert "backup of" in done.last_line and str(copy) in done.last_line

            healthy = await asyncio.to_thread(run_to_exit, env_now, "healthcheck")
            assert healthy.returncode == 0, healthy.output
        with contextlib.closing(sqlite3.connect(copy)) as backup:
            assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert backup.execute("SELECT login FROM users").fetchall() == [("kept",)]
            (comments,) = backup.execute("SELECT count(*) FROM comments").fetchone()
            assert 0 <= comments <= written
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.db"]  # no partial file, no -wal
    finally:
        await server.stop()


def test_backup_failures_are_one_line(tmp_path: Path) -> None:
    missing = run_to_exit({"DB_PATH": str(tmp_path / "none.db"), "CONTESTS_DIR": CONTESTS}, "backup", "x.db")
    assert missing.returncode == 1 and "no database at" in missing.last_line, missing.output
    db = tmp_path / "trainer.db"
    sqlite3.connect(db).close()
    onto_itself = run_to_exit({"DB_PATH": str(db), "CONTESTS_DIR": CONTESTS}, "backup", str(db))
    assert onto_itself.returncode == 1 and "must not overwrite" in onto_itself.last_line, onto_itself.output
    assert "Traceback" not in missing.output + onto_itself.output
