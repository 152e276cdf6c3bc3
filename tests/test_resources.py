"""Descriptor budget (server.resources): the soft limit is raised, connections stay below it."""

from __future__ import annotations

import resource

from server.resources import MIN_CONNECTIONS, connection_cap, fd_limit, raise_fd_limit


def test_the_cap_keeps_a_reserve_below_the_descriptor_limit() -> None:
    assert connection_cap(None, 1024) == 1024 - 128 - 128
    assert connection_cap(None, 65536) == 65536 - 8192 - 128
    assert connection_cap(500, 1024) == 500  # MAX_CONNECTIONS below the room there is
    assert connection_cap(5000, 1024) == 768  # never above it
    assert connection_cap(None, 100) == MIN_CONNECTIONS


def test_the_soft_limit_is_raised_to_the_hard_one() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, hard), hard))
        raised = raise_fd_limit()
        assert raised == fd_limit() and raised == min(hard, 1 << 20)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
