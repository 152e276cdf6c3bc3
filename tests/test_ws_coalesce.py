"""The coalescer of state-replacing messages: within the rate at once, beyond it the newest per key, never lost."""

from __future__ import annotations

import asyncio

from server.ws.coalesce import Coalescer
from server.ws.ratelimit import TokenBucket


class Clock:
    """A hand-moved clock for the token bucket."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """The apply callback: records items; can be held to simulate a slow apply (a contended room lock)."""

    def __init__(self) -> None:
        self.applied: list[str] = []
        self.entered = asyncio.Event()  # an apply has started
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, item: str) -> None:
        self.entered.set()
        await self.gate.wait()
        self.applied.append(item)


def make(burst: int = 2, delay: float = 0.01) -> tuple[Coalescer[str], Recorder, Clock]:
    clock, recorder = Clock(), Recorder()
    return Coalescer(TokenBucket(1.0, burst, clock), delay, recorder), recorder, clock


async def test_within_the_rate_items_apply_at_once() -> None:
    coalescer, recorder, _ = make(burst=2)
    assert coalescer.admit("A", "a1") is True
    assert coalescer.admit("A", "a2") is True
    assert coalescer.waiting == 0 and recorder.applied == []  # the caller applies them


async def test_beyond_the_rate_the_newest_per_key_waits_and_is_applied() -> None:
    coalescer, recorder, _ = make(burst=1)
    assert coalescer.admit("A", "a1") is True
    for item in ("a2", "a3", "a4"):
        assert coalescer.admit("A", item) is False
    assert coalescer.admit("B", "b1") is False
    assert coalescer.waiting == 2
    async with asyncio.timeout(5):
        while recorder.applied != ["a4", "b1"]:  # noqa: ASYNC110 - the flush is a timer, not an event we own
            await asyncio.sleep(0.005)
    assert coalescer.waiting == 0


async def test_a_waiting_key_never_takes_the_immediate_path() -> None:
    """Otherwise an older waiting item could be applied after a newer immediate one."""
    coalescer, recorder, clock = make(burst=1)
    assert coalescer.admit("A", "a1") is True
    assert coalescer.admit("A", "a2") is False
    clock.now = 100.0  # tokens again: still queued behind the waiting item of its key
    assert coalescer.admit("A", "a3") is False
    assert coalescer.admit("B", "b1") is True  # another key is unaffected
    await coalescer.drain()
    assert recorder.applied == ["a3"]


async def test_a_key_being_flushed_is_not_applied_around_the_flush() -> None:
    coalescer, recorder, clock = make(burst=1, delay=0.001)
    assert coalescer.admit("A", "a1") is True
    assert coalescer.admit("A", "a2") is False
    recorder.gate.clear()  # the flush starts and waits (like a contended room lock)
    async with asyncio.timeout(5):
        await recorder.entered.wait()
    clock.now = 100.0
    assert coalescer.admit("A", "a3") is False  # waits for the next flush, after a2
    recorder.gate.set()
    await coalescer.drain()
    assert recorder.applied == ["a2", "a3"]


async def test_drain_applies_what_waits_and_stops_the_timer() -> None:
    coalescer, recorder, _ = make(burst=0, delay=60)
    assert coalescer.admit("A", "a1") is False
    assert coalescer.admit("B", "b1") is False
    assert coalescer.admit("A", "a2") is False  # moves A behind B: keys flush in the order of their newest item
    await coalescer.drain()
    assert recorder.applied == ["b1", "a2"] and coalescer.waiting == 0
    await coalescer.drain()  # idempotent
    assert recorder.applied == ["b1", "a2"]


async def test_a_failing_apply_does_not_stop_the_others() -> None:
    applied: list[str] = []

    async def apply(item: str) -> None:
        if item == "bad":
            raise RuntimeError("bug")
        applied.append(item)

    coalescer: Coalescer[str] = Coalescer(TokenBucket(1.0, 0), 60, apply)
    coalescer.admit("A", "bad")
    coalescer.admit("B", "good")
    await coalescer.drain()
    assert applied == ["good"]
