"""Submissions in tests: sample sources, the multipart form the web client sends, submitting, awaiting verdicts."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from server.domain.events import DomainEvent
from server.keys import BUS

from .api import Account, WireEvent, wire_of

SUM_PY = b"a, b = map(int, input().split())\nprint(a + b)\n"  # the test contests' problems: print a + b
WRONG_PY = b"a, b = map(int, input().split())\nprint(a - b)\n"
SUM_CPP = b"#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n"
BROKEN_C = b"int main( { return 0; }\n"


def form(source: bytes, compiler: str = "python3_docker", problem: str = "A") -> aiohttp.FormData:
    """The multipart body the web client sends (for the test client and real server processes alike)."""
    data = aiohttp.FormData()
    data.add_field("file", io.BytesIO(source), filename="main", content_type="application/octet-stream")
    data.add_field("compiler", compiler)
    data.add_field("problem", problem)
    return data


async def submit(client: TestClient, who: Account, ts: str, source: bytes, **kw: str) -> int:
    """Submit and return the runId."""
    resp = await client.post(f"/training-sessions/{ts}/submissions", data=form(source, **kw), headers=who.headers)
    assert resp.status == 201, await resp.text()
    return int((await resp.json())["runId"])


class Verdicts:
    """Collects training-room events and waits for a submission's final verdict."""

    def __init__(self, client: TestClient) -> None:
        self.events: list[WireEvent] = []
        self._changed = asyncio.Condition()
        client.app[BUS].subscribe(self._on_event)

    def _on_event(self, event: DomainEvent) -> None:
        self.events.extend(wire_of(event))
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def final(self, run_id: int, wait_s: float = 60) -> dict[str, Any]:
        """The SUBMISSION_VERDICT_RETRIEVED payload of run_id."""

        def found() -> dict[str, Any] | None:
            for e in self.events:
                retrieved = e.type == "SUBMISSION_VERDICT_RETRIEVED" and e.payload["id"] == run_id
                if retrieved and e.payload["verdict"] != "No report":  # the first one means "testing"
                    return e.payload
            return None

        async with asyncio.timeout(wait_s), self._changed:
            await self._changed.wait_for(lambda: found() is not None)
        result = found()
        assert result is not None
        return result
