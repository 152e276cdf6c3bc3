"""A token bucket: about `rate` messages a second with bursts of `burst`."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """Refills continuously; take() spends one token or says no."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._last = clock()

    def take(self) -> bool:
        """Spend one token; False when the bucket is empty."""
        now = self._clock()
        tokens = self._tokens + (now - self._last) * self._rate
        if tokens > self._burst:  # a comparison, not min(): this runs for every message
            tokens = self._burst
        self._last = now
        if tokens < 1.0:
            self._tokens = tokens
            return False
        self._tokens = tokens - 1.0
        return True
