"""Load against a real server process: comments, submissions and editor updates, and what was acknowledged."""

from __future__ import annotations

import asyncio

import aiohttp
import orjson
from aiohttp import WSMsgType

from .submissions import SUM_PY, form
from .ws import frame


class Load:
    """Concurrent comment and submission posters plus an editor, recording what the server acknowledged."""

    def __init__(self, http: aiohttp.ClientSession, url: str, token: str, ts: str) -> None:
        self.http, self.url, self.ts = http, url, ts
        self.headers = {"Authorization": f"OAuth {token}"}
        self.comments: set[str] = set()
        self.runs: set[int] = set()
        self.statuses: list[int] = []
        self.last_code: str | None = None  # the last text whose echo came back (acknowledged)
        self.last_sent: str | None = None  # sent, maybe applied (possibly after its socket closed)
        self.enough = asyncio.Event()

    def _acknowledged(self) -> None:
        if len(self.comments) >= 100 and len(self.runs) >= 3:
            self.enough.set()

    async def submission(self) -> int:
        """Post one submission of a correct solution (each a new source: repeats are refused); returns the status."""
        source = SUM_PY + f"# {len(self.statuses)}\n".encode()
        url = f"{self.url}/training-sessions/{self.ts}/submissions"
        async with self.http.post(url, data=form(source), headers=self.headers) as resp:
            self.statuses.append(resp.status)
            if resp.status == 201:
                self.runs.add((await resp.json())["runId"])
                self._acknowledged()
            return resp.status

    async def submit(self) -> None:
        """A few submissions (each is judged, so keep it short) until the server is gone."""
        for _ in range(6):
            try:
                await self.submission()
            except aiohttp.ClientError:
                return

    async def comment(self, worker: int) -> None:
        """Post comments until the server is gone."""
        url = f"{self.url}/training-sessions/{self.ts}/problem/A/comments"
        for i in range(100_000):
            try:
                async with self.http.post(url, json={"content": f"w{worker} #{i}"}, headers=self.headers) as resp:
                    self.statuses.append(resp.status)
                    if resp.status == 201:
                        self.comments.add((await resp.json())["id"])
                        self._acknowledged()
            except aiohttp.ClientError:
                return  # refused or cut off: not acknowledged, and the server is going away

    async def edit(self, ws: aiohttp.ClientWebSocketResponse) -> int | None:
        """Send editor updates, each after the echo of the previous one; returns the close code."""
        for i in range(1_000_000):
            self.last_sent = f"print({i})"
            await ws.send_str(frame("CODE_EDITOR_UPDATE", code=self.last_sent, problemAlias="A"))
            while True:
                msg = await ws.receive(timeout=30)
                if msg.type is not WSMsgType.TEXT:
                    return ws.close_code
                got = orjson.loads(msg.data)
                if got["type"] == "CODE_EDITOR_UPDATE":
                    self.last_code = got["payload"]["code"]
                    break
        return None
