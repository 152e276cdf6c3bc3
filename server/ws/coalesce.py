"""Messages that replace state (an editor's whole text) are coalesced beyond the rate limit, never refused.

The web client sends one CODE_EDITOR_UPDATE per keystroke with no debounce: select-all + Tab on
120 lines is 121 frames at once. Refusing the excess (RATE_LIMITED) left teammates and
`GET /code` with a stale text until the next keystroke. Here, within the rate an update is applied
at once; beyond it the newest update per key (problem) waits, replacing any older waiting one, and
is applied within one flush delay. An update is skipped only when a newer one for the same key is
applied, so the shared text always ends as the client's last frame (docs/protocol.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from .ratelimit import TokenBucket

log = logging.getLogger(__name__)

T = TypeVar("T")


class Coalescer(Generic[T]):
    """One socket's rate for state-replacing messages; the newest waiting item per key wins.

    The receive loop calls admit() for every such message and, when it returns True, applies the item
    itself before reading the next frame. Items admitted later are applied by a flush task, in key
    order of arrival. A key that is waiting or being flushed never takes the immediate path, so an
    older item can never be applied after a newer one of the same key.
    """

    def __init__(self, bucket: TokenBucket, delay: float, apply: Callable[[T], Awaitable[None]]) -> None:
        self._bucket = bucket
        self._delay = delay
        self._apply = apply
        self._waiting: dict[Hashable, T] = {}
        self._flushing: frozenset[Hashable] = frozenset()
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Items waiting for the next flush (for tests and diagnostics)."""
        return len(self._waiting)

    def admit(self, key: Hashable, item: T) -> bool:
        """True: apply the item now. False: it waits (replacing an older one of its key) for the flush."""
        if key not in self._waiting and key not in self._flushing and self._bucket.take():
            return True
        self._waiting.pop(key, None)  # re-inserted last: keys flush in the order their newest item came
        self._waiting[key] = item
        self._arm()
        return False

    def _arm(self) -> None:
        if self._timer is None and self._task is None:
            self._timer = asyncio.get_running_loop().call_later(self._delay, self._start_flush)

    def _start_flush(self) -> None:
        self._timer = None
        self._task = asyncio.get_running_loop().create_task(self._flush(), name="ws-coalesced-flush")

    async def _flush(self) -> None:
        try:
            await self._apply_waiting()
        finally:
            self._task = None
            if self._waiting:  # newer items arrived meanwhile: one more delay, so flushes stay rate-bound
                self._arm()

    async def _apply_waiting(self) -> None:
        batch, self._waiting = self._waiting, {}
        self._flushing = frozenset(batch)
        try:
            for item in batch.values():
                try:
                    await self._apply(item)
                except Exception:  # the apply callback reports rule errors itself; this is a bug
                    log.exception("applying a coalesced message failed")
        finally:
            self._flushing = frozenset()

    async def drain(self) -> None:
        """Apply everything still waiting now (the socket is closing): nothing the client sent is lost."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None:
            await asyncio.wait({self._task})
        if self._timer is not None:  # the finished flush re-armed for items that came meanwhile
            self._timer.cancel()
            self._timer = None
        if self._waiting:
            await self._apply_waiting()
