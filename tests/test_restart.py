"""A real server process, stopped with SIGTERM or SIGKILL and started again on the same database."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from .support.realserver import ROOT, Caller, ServerProcess
from .support.submissions import form

SLEEPER_PY = b"import time\ntime.sleep(30)\n"
SUM_PY = (ROOT / "data" / "solutions" / "classic" / "A.py").read_bytes()  # the sample contest's problem A


async def lobby_socket(call: Caller, team_id: int) -> aiohttp.ClientWebSocketResponse:
    """A lobby socket of call's user (Caller.socket opens training rooms)."""
    params = {"team_id": str(team_id), "user_id": call.user_id, "token": call.token}
    return await call.http.ws_connect(f"{call.server.url}/ws/lobby", params=params)


async def state_of(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    """The ROOM_STATE a new socket gets after its own USER_JOIN."""
    assert (await ws.receive_json(timeout=10))["type"] == "USER_JOIN"
    state = await ws.receive_json(timeout=10)
    assert state["type"] == "ROOM_STATE"
    return state["payload"]  # type: ignore[no-any-return]


async def send_and_echo(ws: aiohttp.ClientWebSocketResponse, type_: str, **payload: Any) -> None:
    """Send a client message and wait for its echo (so the server applied it)."""
    await ws.send_str(orjson.dumps({"type": type_, "payload": payload}).decode())
    while True:
        got = await ws.receive_json(timeout=10)
        assert got["type"] != "ERROR", got
        if got["type"] == type_:
            return


async def snapshot_holding(db_path: Path, session_id: str, text: str) -> None:
    """Wait (10 s at most) until the training room's stored snapshot contains `text`."""
    for _ in range(200):
        with contextlib.closing(sqlite3.connect(db_path)) as db:  # WAL: reads alongside the server's writes
            row = db.execute(
                "SELECT state FROM room_snapshots WHERE kind = 'training' AND room_id = ?", (session_id,)
            ).fetchone()
        if row is not None and text in row[0]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no snapshot of {session_id} holding {text!r} within 10 s")


def _server(tmp_path: Path, **env: str) -> ServerProcess:
    return ServerProcess(
        {
            "DB_PATH": str(tmp_path / "db" / "trainer.db"),
            "CONTESTS_DIR": str(ROOT / "data" / "contests"),
            "SNAPSHOT_INTERVAL": "0.3",
            "LOG_LEVEL": "INFO",
            **env,
        },
        tmp_path / "server.log",
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
async def test_room_state_survives_a_restart(tmp_path: Path, sig: signal.Signals) -> None:
    server = _server(tmp_path)
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            me = Caller(http, server)
            made = await me.team_session("restarter")
            team, session = made.team, made.session
            assert session is not None
            lobby = await lobby_socket(me, team["id"])
            await state_of(lobby)
            await send_and_echo(lobby, "CONTEST_SELECTED", contestId=1)
            room = await me.socket(session["id"])
            await state_of(room)
            await send_and_echo(room, "CONTROL_TAKEN", userId=me.user_id)
            await send_and_echo(room, "CODE_EDITOR_UPDATE", code="int main() { return 0; }", problemAlias="C")
            await send_and_echo(room, "PROBLEM_ASSIGNED", user={"id": me.user_id}, problemAlias="D")
            await send_and_echo(room, "COMPILER_SELECTED", compiler="gcc_cpp20", problemAlias="C")
            if sig == signal.SIGKILL:
                # a crash loses at most one interval: wait until the periodic snapshot holds the last change
                await snapshot_holding(tmp_path / "db" / "trainer.db", session["id"], '"C":"gcc_cpp20"')
            code = await server.stop(sig)
            assert code in ((0, -signal.SIGTERM) if sig == signal.SIGTERM else (-signal.SIGKILL,))
            if sig == signal.SIGTERM:
                closed = await room.receive(timeout=10)
                assert closed.type is aiohttp.WSMsgType.CLOSE and closed.data == 1001
            await room.close()
            await lobby.close()

            await server.start()
            ts = session["id"]
            assert (await me("GET", f"/training-sessions/{ts}/code/C"))["code"] == "int main() { return 0; }"
            assert (await me("GET", f"/training-sessions/{ts}/control/current"))["userId"] == me.user_id
            assert (await me("GET", f"/training-sessions/{ts}/compiler/C"))["compiler"] == "gcc_cpp20"
            assert (await me("GET", f"/lobby/{team['id']}/selected-contest"))["contestId"] == 1
            assert (await me("GET", f"/training-sessions/{ts}/online"))["users"] == []
            problems = (await me("GET", f"/contests/{ts}/problems"))["problems"]
            assert next(p for p in problems if p["alias"] == "D")["assignedUser"]["id"] == me.user_id
            room = await me.socket(ts)
            state = await state_of(room)
            assert state["controllerId"] == me.user_id and state["code"]["C"] == "int main() { return 0; }"
            assert state["compilers"]["C"] == "gcc_cpp20" and state["assignments"]["D"]["id"] == me.user_id
            lobby = await lobby_socket(me, team["id"])
            assert (await state_of(lobby))["selectedContestId"] == 1
            await room.close()
            await lobby.close()
    finally:
        if server.proc and server.proc.returncode is None:
            await server.stop(signal.SIGKILL)


async def test_pending_submissions_are_judged_after_a_crash(tmp_path: Path) -> None:
    server = _server(tmp_path, JUDGE_WORKERS="1")
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            me = Caller(http, server)
            ts = (await me.team_session("crasher")).session_id
            url = f"/training-sessions/{ts}/submissions"
            # in order, one worker: the second waits behind the sleeper
            run_ids = [(await me("POST", url, data=form(source)))["runId"] for source in (SLEEPER_PY, SUM_PY)]
            await server.stop(signal.SIGKILL)

            await server.start()
            room = await me.socket(ts)
            verdicts: dict[int, str] = {}
            async with asyncio.timeout(60):
                while len(verdicts) < 2:
                    listing = await me("GET", f"/training-sessions/{ts}/submissions")
                    verdicts = {s["id"]: s["verdict"] for s in listing["submissions"] if s["verdict"] != "No report"}
                    if len(verdicts) < 2:
                        msg = await room.receive_json(timeout=30)
                        assert msg["type"] != "ERROR"
            assert verdicts == {run_ids[0]: "IdlenessLimitExceeded", run_ids[1]: "OK"}
            await room.close()
        assert "2 pending submissions queued for judging again" in server.output()
    finally:
        if server.proc and server.proc.returncode is None:
            await server.stop(signal.SIGKILL)
