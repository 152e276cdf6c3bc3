"""A real server process, stopped with SIGTERM or SIGKILL and started again on the same database."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from .support.realserver import ROOT, ServerProcess
from .support.submissions import form

SLEEPER_PY = b"import time\ntime.sleep(30)\n"
SUM_PY = (ROOT / "data" / "solutions" / "classic" / "A.py").read_bytes()  # the sample contest's problem A


class Client:
    """REST and WebSocket calls against a real server process."""

    def __init__(self, http: aiohttp.ClientSession, server: ServerProcess) -> None:
        self.http = http
        self.server = server
        self.token = ""
        self.user_id = ""

    async def call(self, method: str, path: str, **kw: Any) -> Any:
        """One JSON call that must succeed."""
        headers = {"Authorization": f"OAuth {self.token}"} if self.token else {}
        async with self.http.request(method, self.server.url + path, headers=headers, **kw) as resp:
            assert resp.status < 300, await resp.text()
            return await resp.json() if resp.status != 204 else None

    async def register(self, login: str) -> None:
        """Register and keep the token."""
        body = await self.call("POST", "/users", json={"login": login, "password": "secret-pw"})
        self.token, self.user_id = body["token"], body["user"]["id"]

    async def socket(self, path: str, **params: str) -> aiohttp.ClientWebSocketResponse:
        """A WebSocket with its USER_JOIN and ROOM_STATE read; the state is on `.state`."""
        query = {**params, "user_id": self.user_id, "token": self.token}
        ws = await self.http.ws_connect(self.server.url + path, params=query)
        assert (await ws.receive_json(timeout=10))["type"] == "USER_JOIN"
        state = await ws.receive_json(timeout=10)
        assert state["type"] == "ROOM_STATE"
        ws.state = state["payload"]  # type: ignore[attr-defined]
        return ws


async def send_and_echo(ws: aiohttp.ClientWebSocketResponse, type_: str, **payload: Any) -> None:
    """Send a client message and wait for its echo (so the server applied it)."""
    await ws.send_str(orjson.dumps({"type": type_, "payload": payload}).decode())
    while True:
        got = await ws.receive_json(timeout=10)
        assert got["type"] != "ERROR", got
        if got["type"] == type_:
            return


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
            me = Client(http, server)
            await me.register("restarter")
            team = await me.call("POST", "/teams", json={"name": "Phoenix"})
            session = await me.call("POST", "/training-sessions", json={"team_id": team["id"], "contest_id": 1})
            lobby = await me.socket("/ws/lobby", team_id=str(team["id"]))
            await send_and_echo(lobby, "CONTEST_SELECTED", contestId=1)
            room = await me.socket("/ws/training", training_session_id=session["id"])
            await send_and_echo(room, "CONTROL_TAKEN", userId=me.user_id)
            await send_and_echo(room, "CODE_EDITOR_UPDATE", code="int main() { return 0; }", problemAlias="C")
            await send_and_echo(room, "PROBLEM_ASSIGNED", user={"id": me.user_id}, problemAlias="D")
            await send_and_echo(room, "COMPILER_SELECTED", compiler="gcc_cpp20", problemAlias="C")
            if sig == signal.SIGKILL:
                # a crash loses at most one interval: wait until a snapshot has certainly been taken
                await asyncio.sleep(1.0)
            code = await server.stop(sig)
            assert code in ((0, -signal.SIGTERM) if sig == signal.SIGTERM else (-signal.SIGKILL,))
            if sig == signal.SIGTERM:
                closed = await room.receive(timeout=10)
                assert closed.type is aiohttp.WSMsgType.CLOSE and closed.data == 1001
            await room.close()
            await lobby.close()

            await server.start()
            ts = session["id"]
            assert (await me.call("GET", f"/training-sessions/{ts}/code/C"))["code"] == "int main() { return 0; }"
            assert (await me.call("GET", f"/training-sessions/{ts}/control/current"))["userId"] == me.user_id
            assert (await me.call("GET", f"/training-sessions/{ts}/compiler/C"))["compiler"] == "gcc_cpp20"
            assert (await me.call("GET", f"/lobby/{team['id']}/selected-contest"))["contestId"] == 1
            assert (await me.call("GET", f"/training-sessions/{ts}/online"))["users"] == []
            problems = (await me.call("GET", f"/contests/{ts}/problems"))["problems"]
            assert next(p for p in problems if p["alias"] == "D")["assignedUser"]["id"] == me.user_id
            room = await me.socket("/ws/training", training_session_id=ts)
            state = room.state  # type: ignore[attr-defined]
            assert state["controllerId"] == me.user_id and state["code"]["C"] == "int main() { return 0; }"
            assert state["compilers"]["C"] == "gcc_cpp20" and state["assignments"]["D"]["id"] == me.user_id
            lobby = await me.socket("/ws/lobby", team_id=str(team["id"]))
            assert lobby.state["selectedContestId"] == 1  # type: ignore[attr-defined]
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
            me = Client(http, server)
            await me.register("crasher")
            team = await me.call("POST", "/teams", json={"name": "Crashers"})
            session = await me.call("POST", "/training-sessions", json={"team_id": team["id"], "contest_id": 1})
            ts = session["id"]
            url = f"/training-sessions/{ts}/submissions"
            # in order, one worker: the second waits behind the sleeper
            run_ids = [(await me.call("POST", url, data=form(source)))["runId"] for source in (SLEEPER_PY, SUM_PY)]
            await server.stop(signal.SIGKILL)

            await server.start()
            room = await me.socket("/ws/training", training_session_id=ts)
            verdicts: dict[int, str] = {}
            async with asyncio.timeout(60):
                while len(verdicts) < 2:
                    listing = await me.call("GET", f"/training-sessions/{ts}/submissions")
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
