"""Rate limits by key: refill, the wait they report, bounded memory, and the sign-in throttle's two keys."""

from __future__ import annotations

import pytest

from server.domain.errors import TooManyRequests
from server.services.throttle import AuthThrottle, RateLimiter, refuse_after


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_attempt_per_interval() -> None:
    ticks = Ticks()
    limiter = RateLimiter(6, clock=ticks)  # 6 a minute: one every 10 s
    assert [limiter.take("a") for _ in range(6)] == [0.0] * 6
    assert limiter.take("a") == pytest.approx(10.0)
    assert limiter.take("b") == 0.0  # keys are independent
    ticks.now += 4
    assert limiter.wait("a") == pytest.approx(6.0)  # a refused attempt spent nothing
    ticks.now += 6
    assert limiter.take("a") == 0.0 and limiter.wait("a") == pytest.approx(10.0)
    ticks.now += 3600
    assert [limiter.take("a") for _ in range(6)] == [0.0] * 6  # refilled to the burst, never beyond


def test_a_refund_gives_back_one_attempt_never_beyond_the_burst() -> None:
    ticks = Ticks()
    limiter = RateLimiter(2, clock=ticks)
    assert limiter.take("a") == 0.0 and limiter.take("a") == 0.0 and limiter.wait("a") > 0
    limiter.refund("a")
    assert limiter.take("a") == 0.0 and limiter.wait("a") > 0  # exactly one came back
    limiter.refund("a")
    limiter.refund("a")
    limiter.refund("a")
    assert [limiter.take("a") for _ in range(3)][:2] == [0.0, 0.0] and limiter.wait("a") > 0  # capped at 2
    limiter.refund("never-seen")  # nothing spent, nothing kept
    assert len(limiter) == 1


def test_memory_is_bounded_and_refilled_buckets_go_first() -> None:
    ticks = Ticks()
    limiter = RateLimiter(2, max_keys=100, clock=ticks)
    limiter.take("target")
    limiter.take("target")  # spent: this one must survive pruning
    ticks.now += 1
    for n in range(1000):
        limiter.take(f"spray-{n}")
        assert len(limiter) <= 100
    assert limiter.wait("target") > 0


def test_refusals_round_up_to_whole_seconds() -> None:
    error = refuse_after(0.2, "things", {"limit": 3})
    assert isinstance(error, TooManyRequests)
    assert error.retry_after == 1 and error.details == {"limit": 3, "retryAfter": 1}
    assert refuse_after(19.01, "things").retry_after == 20


def test_sign_in_attempts_count_against_both_the_address_and_the_login() -> None:
    ticks = Ticks()
    throttle = AuthThrottle(per_ip=3, per_login=2, clock=ticks)
    throttle.attempt("192.0.2.1", "alice")
    throttle.attempt("192.0.2.2", "Alice")  # logins are compared without case
    with pytest.raises(TooManyRequests) as refused:
        throttle.attempt("192.0.2.3", "alice")
    assert refused.value.retry_after == 30
    throttle.attempt("192.0.2.1", "bob")
    throttle.attempt("192.0.2.1", "carol")  # the address's third attempt
    with pytest.raises(TooManyRequests):
        throttle.attempt("192.0.2.1", "dave")
    assert throttle.by_login.wait("dave") == 0  # the refused attempt counted nowhere
