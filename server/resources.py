"""Operating-system limits: the file-descriptor budget, and how many connections it leaves room for.

Every connection is a descriptor. At the limit, accept() fails (EMFILE) and the database, the judge's
pipes and the contest files fail with it; so the server raises its soft limit to the hard one at start
and caps open connections below it, keeping a reserve for everything else it opens.
"""

from __future__ import annotations

import logging
import resource

from .listen import BACKLOG

log = logging.getLogger(__name__)

_SOFT_CEILING = 1 << 20  # an infinite hard limit is not a usable soft one
MIN_RESERVE = 64  # descriptors kept for the database, the judge's pipes and files, logs
MIN_CONNECTIONS = 16
ACCEPT_BURST = BACKLOG  # asyncio accepts up to the listen backlog in one go


def raise_fd_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit where allowed; returns the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = _SOFT_CEILING if hard == resource.RLIM_INFINITY else min(hard, _SOFT_CEILING)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as exc:
            log.warning("cannot raise the file-descriptor limit from %d to %d: %s", soft, target, exc)
            return soft
        return target
    return soft if soft != resource.RLIM_INFINITY else _SOFT_CEILING


def fd_limit() -> int:
    """The soft RLIMIT_NOFILE now."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return _SOFT_CEILING if soft == resource.RLIM_INFINITY else soft


def connection_cap(configured: int | None, descriptors: int, accept_burst: int = ACCEPT_BURST) -> int:
    """Open connections allowed: MAX_CONNECTIONS when set, never closer than the reserve to the descriptor limit.

    The reserve is an eighth of the limit (at least MIN_RESERVE) for the database, the judge and files,
    plus the connections asyncio accepts in one go before the guard sees them (the listen backlog):
    1,024 descriptors leave 768 connections.
    """
    room = max(MIN_CONNECTIONS, descriptors - max(MIN_RESERVE, descriptors // 8) - accept_burst)
    return room if configured is None else min(configured, room)
