"""Rate limits by key (a client address, a login, a team): token buckets in bounded memory.

Each key has a bucket of `per_minute` attempts that refills continuously at `per_minute` a minute,
so a burst of that many is allowed and then one attempt every 60/per_minute seconds. Buckets live in
memory (a restart forgets them, which costs an attacker nothing they could not get by waiting a
minute) and at most `max_keys` of them: when full, the fullest buckets are dropped (a refilled
bucket is the same as none), so the spent ones that hold a guesser back stay.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from ..domain.errors import TooManyRequests

DEFAULT_MAX_KEYS = 10_000


class RateLimiter:
    """Token buckets by key; `take(key)` spends one attempt or says how long to wait."""

    def __init__(
        self, per_minute: int, max_keys: int = DEFAULT_MAX_KEYS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = float(per_minute)
        self._rate = per_minute / 60.0  # tokens a second
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def __len__(self) -> int:
        return len(self._buckets)

    def _tokens(self, key: Hashable, now: float) -> float:
        entry = self._buckets.get(key)
        if entry is None:
            return self.capacity
        tokens, at = entry
        return min(self.capacity, tokens + (now - at) * self._rate)

    def wait(self, key: Hashable) -> float:
        """Seconds until `key` may make an attempt (0 when it may now); spends nothing."""
        tokens = self._tokens(key, self._clock())
        return 0.0 if tokens >= 1 else (1 - tokens) / self._rate

    def spend(self, key: Hashable) -> None:
        """Spend one attempt of `key` (allowed or not: the caller checked wait() first)."""
        now = self._clock()
        tokens = self._tokens(key, now)
        self._buckets[key] = (max(0.0, tokens - 1), now)
        self._buckets.move_to_end(key)
        if len(self._buckets) > self._max_keys:
            self._prune(now)

    def take(self, key: Hashable) -> float:
        """Spend one attempt when allowed and answer 0; otherwise spend nothing and answer the wait."""
        wait = self.wait(key)
        if wait == 0:
            self.spend(key)
        return wait

    def refund(self, key: Hashable) -> None:
        """Give back one attempt spent by take() for an action that was then refused for another reason."""
        entry = self._buckets.get(key)
        if entry is not None:
            now = self._clock()
            self._buckets[key] = (min(self.capacity, self._tokens(key, now) + 1), now)

    def _prune(self, now: float) -> None:
        """Drop the fullest buckets down to 90 % of the bound (so pruning is rare).

        Refilled buckets go first (they are the same as none), then those with the most attempts
        left: the spent ones, which are what holds a guesser back, stay longest.
        """
        levels = {key: self._tokens(key, now) for key in self._buckets}  # in least recently used order
        excess = len(levels) - self._max_keys * 9 // 10
        for key in sorted(levels, key=levels.__getitem__, reverse=True)[:excess]:  # stable: older first on ties
            del self._buckets[key]


def refuse_after(wait: float, what: str, details: dict[str, object] | None = None) -> TooManyRequests:
    """The TooManyRequests for a wait in seconds, rounded up to whole seconds (Retry-After's unit)."""
    seconds = max(1, math.ceil(wait))
    return TooManyRequests(
        f"too many {what}; retry in {seconds} s", seconds, {**(details or {}), "retryAfter": seconds}
    )


class AuthThrottle:
    """Logins, registrations and password checks: limited per client address and per login at once."""

    def __init__(self, per_ip: int, per_login: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.by_ip = RateLimiter(per_ip, clock=clock)
        self.by_login = RateLimiter(per_login, clock=clock)

    def attempt(self, client: str, login: str) -> None:
        """Count one attempt of `login` from `client`; TooManyRequests (nothing counted) when either is spent.

        Every attempt counts, successful or not: each one costs the server a slow password hash.
        """
        wait = max(self.by_ip.wait(client), self.by_login.wait(login.lower()))
        if wait > 0:
            raise refuse_after(wait, "sign-in attempts")
        self.by_ip.spend(client)
        self.by_login.spend(login.lower())
