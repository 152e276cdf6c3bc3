"""FairQueue and RunTurns: order within a team, teams in turn, caps, cancellation."""

from __future__ import annotations

import asyncio

import pytest

from server.fairqueue import FairQueue, QueueFull, RunTurns


async def settle() -> None:
    """Let every ready task run until it blocks (no timing involved)."""
    for _ in range(10):
        await asyncio.sleep(0)


def fill(queue: FairQueue[str, str], key: str, *items: str) -> None:
    for item in items:
        queue.put(queue.reserve(key), item)


async def test_a_teams_items_in_order_and_the_teams_in_turn() -> None:
    queue: FairQueue[str, str] = FairQueue(per_key=10)
    fill(queue, "A", "a1", "a2", "a3", "a4")
    fill(queue, "B", "b1", "b2")
    fill(queue, "C", "c1")
    order = []
    while len(queue):
        key, item = await queue.get()
        order.append(item)
        queue.task_done(key)
    assert order == ["a1", "b1", "c1", "a2", "b2", "a3", "a4"]


async def test_one_item_per_team_in_progress() -> None:
    queue: FairQueue[str, str] = FairQueue(per_key=10)
    fill(queue, "A", "a1", "a2")
    assert await queue.get() == ("A", "a1")
    second = asyncio.create_task(queue.get())
    await settle()
    assert not second.done()  # a2 waits for a1, although a worker is free
    fill(queue, "B", "b1")
    assert await second == ("B", "b1")  # another team is not held up by it
    queue.task_done("A")
    assert await queue.get() == ("A", "a2")


async def test_the_cap_counts_waiting_and_in_progress() -> None:
    queue: FairQueue[str, str] = FairQueue(per_key=2)
    fill(queue, "A", "a1", "a2")
    with pytest.raises(QueueFull) as full:
        queue.reserve("A")
    assert full.value.limit == 2 and full.value.key == "A"
    queue.reserve("B").cancel()  # other teams are not affected, and a cancelled place is given back
    assert queue.load("B") == 0
    key, _ = await queue.get()
    with pytest.raises(QueueFull):
        queue.reserve("A")  # a1 is still being judged
    queue.task_done(key)
    spot = queue.reserve("A")
    spot.cancel()
    spot.cancel()  # idempotent
    assert queue.load("A") == 1


async def test_a_reservation_counts_before_its_item_exists() -> None:
    queue: FairQueue[str, str] = FairQueue(per_key=1)
    spot = queue.reserve("A")
    with pytest.raises(QueueFull):
        queue.reserve("A")  # two requests at once: the second is refused before either stored anything
    queue.put(spot, "a1")
    with pytest.raises(ValueError, match="reservation"):
        queue.put(spot, "again")


async def test_work_from_before_a_restart_goes_past_the_cap() -> None:
    queue: FairQueue[str, str] = FairQueue(per_key=1)
    for item in ("a1", "a2", "a3"):
        queue.put_unchecked("A", item)
    assert queue.load("A") == 3 and len(queue) == 3


async def test_a_cancelled_getter_does_not_swallow_an_item() -> None:
    queue: FairQueue[str, str] = FairQueue(per_key=5)
    first, second = asyncio.create_task(queue.get()), asyncio.create_task(queue.get())
    await settle()
    fill(queue, "A", "a1")
    first.cancel()
    await settle()
    assert second.done() and second.result() == ("A", "a1")


async def test_turns_alternate_between_teams() -> None:
    turns: RunTurns[str] = RunTurns(slots=1)
    granted: list[str] = []
    release = asyncio.Event()

    async def run(key: str) -> None:
        async with turns.turn(key):
            granted.append(key)
            await release.wait()

    holder = asyncio.create_task(run("A"))
    await settle()
    waiting = [asyncio.create_task(run(key)) for key in ("A", "A", "A", "B", "C")]
    await settle()
    assert turns.waiting("A") == 3 and turns.free == 0
    release.set()
    await asyncio.gather(holder, *waiting)
    assert granted == ["A", "A", "B", "C", "A", "A"]


async def test_a_new_team_waits_for_one_run_at_most() -> None:
    # Team A judges a long submission test after test (one run waiting at a time, as the service does):
    # team B's first run gets the next free turn.
    turns: RunTurns[str] = RunTurns(slots=1)
    log: list[str] = []
    gate: asyncio.Queue[None] = asyncio.Queue()

    async def long_submission() -> None:
        for test in range(5):
            async with turns.turn("A"):
                log.append(f"A{test}")
                await gate.get()

    async def short_submission() -> None:
        async with turns.turn("B"):
            log.append("B0")

    a = asyncio.create_task(long_submission())
    await settle()
    b = asyncio.create_task(short_submission())
    await settle()
    for _ in range(5):
        gate.put_nowait(None)
        await settle()
    await asyncio.gather(a, b)
    assert log[:2] == ["A0", "B0"]


async def test_slots_are_numbered_and_returned() -> None:
    turns: RunTurns[str] = RunTurns(slots=2)
    async with turns.turn("A") as first, turns.turn("B") as second:
        assert {first, second} == {0, 1} and turns.free == 0
    assert turns.free == 2


async def test_a_cancelled_wait_gives_its_place_up() -> None:
    turns: RunTurns[str] = RunTurns(slots=1)
    async with turns.turn("A"):
        gone = asyncio.create_task(turns._acquire("B"))
        kept = asyncio.create_task(turns._acquire("C"))
        await settle()
        gone.cancel()
        await settle()
        assert turns.waiting("B") == 0
    assert await kept == 0
    turns._release(0)
    assert turns.free == 1
