"""The SQLite store: file mode, WAL, schema version, migrations, restart on the same file."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from server.app import create_app
from server.config import Config
from server.store.database import SchemaTooNew
from server.store.migrations import MIGRATIONS

from .support.store import open_store


async def test_database_file_created_private_with_wal_and_version(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "trainer.db"
    store = await open_store(path)
    try:
        assert await store.ping()
    finally:
        await store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "users",
        "tokens",
        "teams",
        "team_members",
        "training_sessions",
        "problem_states",
        "submissions",
        "comments",
        "room_snapshots",
    } <= tables


async def test_reopen_keeps_version_and_refuses_newer(tmp_path: Path) -> None:
    path = tmp_path / "trainer.db"
    await (await open_store(path)).close()
    await (await open_store(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(SchemaTooNew):
        await open_store(path)


async def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    # DB_PATH pointing at an unrelated file by mistake (it once made /etc/passwd 0600) must not change it
    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/bash\n")
    path.chmod(0o644)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        await open_store(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_text() == "root:x:0:0:root:/root:/bin/bash\n"
    assert os.listdir(tmp_path) == ["passwd"]


async def test_restart_keeps_users_teams_and_sessions(config: Config) -> None:
    async def run(steps):  # type: ignore[no-untyped-def]
        async with TestClient(TestServer(create_app(config))) as client:
            return await steps(client)

    async def first(client: TestClient) -> tuple[str, int, str]:
        resp = await client.post("/users", json={"login": "keeper", "password": "secret-pw"})
        token = (await resp.json())["token"]
        headers = {"Authorization": f"OAuth {token}"}
        team = await (await client.post("/teams", json={"name": "Durable"}, headers=headers)).json()
        resp = await client.post("/training-sessions", json={"team_id": team["id"], "contest_id": 1}, headers=headers)
        return token, team["id"], (await resp.json())["id"]

    token, team_id, session_id = await run(first)

    async def second(client: TestClient) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        assert (await (await client.get("/user/me", headers=headers)).json())["login"] == "keeper"
        team = await (await client.get(f"/teams/{team_id}", headers=headers)).json()
        assert team["name"] == "Durable"
        resp = await client.get(f"/training-sessions/team/{team_id}/reconnect", headers=headers)
        assert (await resp.json())["id"] == session_id
        resp = await client.post("/auth/token", json={"login": "keeper", "password": "secret-pw"})
        assert resp.status == 200

    await run(second)


async def test_reads_never_see_an_open_transaction(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "trainer.db")
    try:
        async with store.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (login, password_hash, first_name, last_name, dt_created) "
                "VALUES ('ghost', 'x', 'g', 'g', 'now')"
            )
            assert await store.users.by_login("ghost") is None  # not committed yet
        assert await store.users.by_login("ghost") is not None
    finally:
        await store.close()


async def test_reads_see_every_commit_while_other_reads_overlap(tmp_path: Path) -> None:
    """Overlapping reads on the reading connection must never pin an old snapshot of the database."""
    store = await open_store(tmp_path / "trainer.db")
    try:
        owner = await store.users.create("owner", "x", "o", "o", "token-hash")

        async def create_and_read(n: int) -> bool:
            team_id = await store.teams.create(f"team {n}", owner.id, [])
            return await store.teams.get(team_id) is not None

        results = await asyncio.gather(*(create_and_read(n) for n in range(60)))
        assert all(results), f"{results.count(False)} of 60 teams were not visible right after their commit"
    finally:
        await store.close()


async def test_checker_logs_move_to_the_domain_form(tmp_path: Path) -> None:
    """Migration 3: a version-2 database's camelCase checker logs become TestRecord fields, in order."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        for number, script in enumerate(MIGRATIONS[:2], start=1):
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        conn.execute("INSERT INTO users VALUES (1, 'ada', 'x', 'Ada', 'L', 'now')")
        conn.execute("INSERT INTO teams VALUES (1, 'Blue', 1, 'now')")
        conn.execute(
            "INSERT INTO training_sessions VALUES ('s', 1, 1, 'IN_PROCESS', ?, NULL, ?)",
            ("2026-01-01T00:00:00+00:00", "2026-01-01T05:00:00+00:00"),
        )
        old_log = [
            {"sequenceNumber": n, "testName": f"secret/{n:02d}", "verdict": v, "runningTime": n * 10, "memoryUsed": n}
            for n, v in ((1, "OK"), (2, "OK"), (3, "WrongAnswer"))
        ]
        conn.execute(
            "INSERT INTO submissions (id, session_id, problem_alias, author_id, compiler, source, verdict, "
            "time_from_start, dt_submitted, checker_log) VALUES (7, 's', 'A', 1, 'gcc_c17', x'00', 'WrongAnswer', 0, "
            "'2026-01-01T00:01:00+00:00', ?)",
            (json.dumps(old_log),),
        )
        conn.execute(
            "INSERT INTO submissions (id, session_id, problem_alias, author_id, compiler, source, verdict, "
            "time_from_start, dt_submitted) VALUES (8, 's', 'A', 1, 'gcc_c17', x'01', 'CompilationError', 0, "
            "'2026-01-01T00:02:00+00:00')"
        )
    store = await open_store(path)
    try:
        judged = await store.submissions.get(7, full=True)
        assert judged is not None
        assert [
            (t.sequence_number, t.test_name, t.verdict, t.running_time, t.memory_used) for t in judged.checker_log
        ] == [
            (1, "secret/01", "OK", 10, 1),
            (2, "secret/02", "OK", 20, 2),
            (3, "secret/03", "WrongAnswer", 30, 3),
        ]
        compile_error = await store.submissions.get(8, full=True)
        assert compile_error is not None and compile_error.checker_log == ()
    finally:
        await store.close()
