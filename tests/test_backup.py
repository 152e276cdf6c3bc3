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
            ts = (await call.team_session("kept")).session_id
            url = f"/training-sessions/{ts}/problem/A/comments"
            acked: list[tuple[str, str]] = []  # (id, content) of every comment answered 201, in order

            async def comment() -> None:
                content = f"c{len(acked)}"
                acked.append(((await call("POST", url, json={"content": content}))["id"], content))

            for _ in range(5):
                await comment()
            stop = asyncio.Event()

            async def write() -> None:  # comments keep landing during the copy, one after the other
                while not stop.is_set():
                    await comment()

            writer = asyncio.create_task(write())
            copy = tmp_path / "backups" / "copy.db"
            env_now = env | {"APP_PORT": str(server.port)}
            before = len(acked)  # acknowledged before the copy starts: to_thread starts it without yielding
            done = await asyncio.to_thread(run_to_exit, env_now, "backup", str(copy))
            stop.set()
            await writer
            assert done.returncode == 0, done.output
            assert "backup of" in done.last_line and str(copy) in done.last_line

            healthy = await asyncio.to_thread(run_to_exit, env_now, "healthcheck")
            assert healthy.returncode == 0, healthy.output
            with contextlib.closing(sqlite3.connect(db)) as live:
                live_rows = set(live.execute("SELECT * FROM comments").fetchall())
        with contextlib.closing(sqlite3.connect(copy)) as backup:
            assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert backup.execute("SELECT login FROM users").fetchall() == [("kept",)]
            copied = backup.execute("SELECT id, content FROM comments").fetchall()
            copied_rows = set(backup.execute("SELECT * FROM comments").fetchall())
        # one moment of the database: every comment acknowledged before the copy, then those written during
        # it up to some point, with no gap (one writer, each comment after the previous one's answer)
        assert len(copied) >= before
        assert set(copied) == set(acked[: len(copied)])
        assert copied_rows <= live_rows  # the same rows, every column, as the server holds them
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
