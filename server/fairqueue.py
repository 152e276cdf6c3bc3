"""Fair judging between teams: per-team queues served in turn, and sandbox runs granted in turn.

Plain asyncio, no aiohttp and no database; the judging service (server/judging.py)
uses both pieces:

- `FairQueue`: which submission is judged next.  Each team's submissions in
  the order they came, the teams round-robin; a team has at most one
  submission being judged, and at most `per_key` waiting or being judged at
  once (`reserve` raises `QueueFull` beyond: the REST layer answers 429).
- `RunTurns`: the sandbox runs themselves (each compile, each test) share
  `slots` turns — one per judging worker, one CPU slot each — granted
  round-robin between the teams that wait.  So a team with a long backlog
  (or a 100-test problem) holds at most its share: another team's next
  submission starts as soon as one run in progress finishes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class QueueFull(Exception):
    """A key already has its `limit` items waiting or in progress."""

    def __init__(self, key: Hashable, limit: int) -> None:
        super().__init__(f"{key!r} already has {limit} submissions waiting or being judged")
        self.key = key
        self.limit = limit


@dataclass
class _Lane(Generic[T]):
    items: deque[T] = field(default_factory=deque)
    reserved: int = 0
    busy: bool = False

    @property
    def load(self) -> int:
        return len(self.items) + self.reserved + self.busy


class Reservation(Generic[K]):
    """A place in a key's lane, taken before the item exists (e.g. before it is stored)."""

    def __init__(self, queue: FairQueue[K, object], key: K) -> None:
        self._queue = queue
        self.key = key
        self.open = True

    def cancel(self) -> None:
        """Give the place back (the item will not come); idempotent."""
        if self.open:
            self.open = False
            self._queue._unreserve(self.key)


class FairQueue(Generic[K, T]):
    """Items per key in order, keys round-robin, one item per key in progress, at most `per_key` per key."""

    def __init__(self, per_key: int) -> None:
        if per_key < 1:
            raise ValueError("per_key must be at least 1")
        self.per_key = per_key
        self._lanes: dict[K, _Lane[T]] = {}
        self._ready: deque[K] = deque()  # keys with items and nothing in progress, in turn order
        self._getters: deque[asyncio.Future[None]] = deque()

    def load(self, key: K) -> int:
        """Items of `key` reserved, waiting or in progress."""
        lane = self._lanes.get(key)
        return lane.load if lane else 0

    def __len__(self) -> int:
        """Items waiting (not in progress)."""
        return sum(len(lane.items) for lane in self._lanes.values())

    def reserve(self, key: K) -> Reservation[K]:
        """Take a place for an item of `key`; raises QueueFull when it has `per_key` already."""
        lane = self._lanes.setdefault(key, _Lane())
        if lane.load >= self.per_key:
            self._forget_if_idle(key)
            raise QueueFull(key, self.per_key)
        lane.reserved += 1
        return Reservation(self, key)  # type: ignore[arg-type]

    def put(self, reservation: Reservation[K], item: T) -> None:
        """Queue the item a reservation was taken for."""
        if not reservation.open:
            raise ValueError("reservation already used or cancelled")
        reservation.open = False
        self._lanes[reservation.key].reserved -= 1
        self._append(reservation.key, item)

    def put_unchecked(self, key: K, item: T) -> None:
        """Queue an item beyond the cap (work accepted before, e.g. pending at a restart)."""
        self._lanes.setdefault(key, _Lane())
        self._append(key, item)

    async def get(self) -> tuple[K, T]:
        """The next item, the keys in turn; its key is in progress until `task_done(key)`."""
        while not self._ready:
            waiter = asyncio.get_running_loop().create_future()
            self._getters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                with contextlib.suppress(ValueError):
                    self._getters.remove(waiter)
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # we were woken but leave: pass it on
                raise
        key = self._ready.popleft()
        lane = self._lanes[key]
        lane.busy = True
        return key, lane.items.popleft()

    def task_done(self, key: K) -> None:
        """The item of `key` in progress is finished: its next one may go."""
        lane = self._lanes[key]
        lane.busy = False
        if lane.items:
            self._ready.append(key)
            self._wake()
        else:
            self._forget_if_idle(key)

    def _append(self, key: K, item: T) -> None:
        lane = self._lanes[key]
        lane.items.append(item)
        if not lane.busy and len(lane.items) == 1:
            self._ready.append(key)
            self._wake()

    def _unreserve(self, key: K) -> None:
        self._lanes[key].reserved -= 1
        self._forget_if_idle(key)

    def _forget_if_idle(self, key: K) -> None:
        lane = self._lanes.get(key)
        if lane is not None and lane.load == 0:
            del self._lanes[key]  # teams come and go: keep memory to the active ones

    def _wake(self) -> None:
        while self._getters:
            waiter = self._getters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return


class RunTurns(Generic[K]):
    """`slots` turns (numbered 0..slots-1) granted round-robin between keys; `turn(key)` holds one."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self._free: list[int] = list(range(slots - 1, -1, -1))  # pop() hands out slot 0 first
        self._waiting: dict[K, deque[asyncio.Future[int]]] = {}
        self._order: deque[K] = deque()  # keys with waiters, in turn order

    @property
    def free(self) -> int:
        """Turns nobody holds."""
        return len(self._free)

    def waiting(self, key: K) -> int:
        """Runs of `key` waiting for a turn."""
        return len(self._waiting.get(key, ()))

    @contextlib.asynccontextmanager
    async def turn(self, key: K) -> AsyncIterator[int]:
        """Wait for a turn (round-robin with the other keys) and hold it: yields its slot number."""
        slot = await self._acquire(key)
        try:
            yield slot
        finally:
            self._release(slot)

    async def _acquire(self, key: K) -> int:
        if self._free and not self._order:
            return self._free.pop()
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        if key not in self._waiting:
            self._waiting[key] = deque()
            self._order.append(key)
        self._waiting[key].append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())  # granted just as we were cancelled: hand it on
            else:
                self._drop(key, waiter)
            raise

    def _drop(self, key: K, waiter: asyncio.Future[int]) -> None:
        queue = self._waiting.get(key)
        if queue is None:
            return
        with contextlib.suppress(ValueError):
            queue.remove(waiter)
        if not queue:
            del self._waiting[key]
            with contextlib.suppress(ValueError):
                self._order.remove(key)

    def _release(self, slot: int) -> None:
        while self._order:
            key = self._order.popleft()
            queue = self._waiting[key]
            waiter = queue.popleft()
            if queue:
                self._order.append(key)  # its next run waits for the other keys' turns
            else:
                del self._waiting[key]
            if not waiter.done():
                waiter.set_result(slot)
                return
        self._free.append(slot)
