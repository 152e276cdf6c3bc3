"""Faults at shutdown: SIGTERM, and a burst of SIGTERMs and SIGINTs, to a real server process under load.

Every comment and submission answered 201 is there after the restart, and the last editor content
acknowledged over the socket too; sockets are closed "going away" (1001), never 1011; the process
exits promptly with 0. Further signals (what `make run` forwards, or an impatient Ctrl-C) are
logged and ignored instead of cutting the shutdown short (server.runner).
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import pytest

from .support.load import Load
from .support.packages import write_contest
from .support.realserver import Caller, ServerProcess
from .support.submissions import SUM_PY, form
from .support.ws import until


async def start_loaded_server(tmp_path: Path) -> ServerProcess:
    """A real server with one contest, a long snapshot interval and one judge worker."""
    contests = tmp_path / "contests"
    contests.mkdir()
    write_contest(contests, 1, "Warm-up", 18000, "AB")
    env = {
        "DB_PATH": str(tmp_path / "db" / "trainer.db"),
        "CONTESTS_DIR": str(contests),
        "SNAPSHOT_INTERVAL": "30",  # long: the editor content must come from the final snapshot at exit
        "JUDGE_WORKERS": "1",
    }
    server = ServerProcess(env, tmp_path / "server.log")
    await server.start()
    return server


async def first_submission(http: aiohttp.ClientSession, server: ServerProcess, load: Load) -> None:
    """Submit once and count it as acknowledged; skip only when this machine's judge cannot isolate runs."""
    url = f"{server.url}/training-sessions/{load.ts}/submissions"
    async with http.post(url, data=form(SUM_PY), headers=load.headers) as resp:
        body = await resp.json()
        if resp.status == 503 and body["error"]["code"] == "JUDGE_UNAVAILABLE":
            pytest.skip(f"the judge is unavailable on this machine: {body['error']['message']}")
        assert resp.status == 201, body
    load.runs.add(body["runId"])


# A Ctrl-C or `kill -TERM -PGID` under `make run` reaches the server from the terminal and again from make,
# which forwards what it gets: a burst of SIGINTs and SIGTERMs within milliseconds.
BURST = (signal.SIGTERM, signal.SIGINT, signal.SIGTERM, signal.SIGINT)


@pytest.mark.parametrize("signals", [(signal.SIGTERM,), BURST], ids=["once", "a burst, as make run delivers"])
async def test_stop_signals_under_load_lose_nothing_acknowledged(
    tmp_path: Path, signals: tuple[signal.Signals, ...]
) -> None:
    server = await start_loaded_server(tmp_path)
    try:
        async with aiohttp.ClientSession() as http:
            call = Caller(http, server)
            ts = (await call.team_session("loaded")).session_id
            load = Load(http, server.url, call.token, ts)
            await first_submission(http, server, load)
            ws = await call.socket(ts)
            posters = [asyncio.create_task(load.comment(w)) for w in range(8)] + [asyncio.create_task(load.submit())]
            editor = asyncio.create_task(load.edit(ws))
            async with asyncio.timeout(60):
                await load.enough.wait()
            # Distinct signals back to back: two of the same kind may merge into one while pending.
            for sig in signals:
                server.send(sig)
            assert server.proc is not None
            assert await asyncio.wait_for(server.proc.wait(), 30) == 0, server.output()[-3000:]
            async with asyncio.timeout(30):
                await asyncio.gather(*posters)
                assert await editor == 1001  # every socket closed "going away" before the final snapshot
            await ws.close()
            assert not [s for s in load.statuses if s >= 500], load.statuses
            out = server.output()
            assert "final room snapshot: 1 rooms written" in out
            assert "Traceback" not in out, out[-3000:]
            if len(signals) > 1:  # two of a kind pending together merge; SIGINT (2) may come before SIGTERM (15)
                assert out.count(" received again: ignored") >= 1, out[-3000:]

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
        await server.kill()
