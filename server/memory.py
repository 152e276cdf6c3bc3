"""Process-wide memory settings applied once at start (standard library only: the bench floor uses one too)."""

from __future__ import annotations

import gc

# A young collection runs once this many more container objects are alive than at the last one.
# With thousands of sockets the default (700) ran one every few updates, each walking whatever the
# event loop had in flight, and every few seconds a full collection of all the sockets' objects
# (~145 ms); at saturation that was 74 -> 63 µs per update and p99 212 -> 67 ms (bench/README.md).
# Cycles are still collected, in rarer batches; most objects die by reference count long before.
GC_YOUNG_THRESHOLD = 100_000


def raise_mmap_threshold() -> None:
    """Make glibc serve asyncio's 256 KiB read buffers from the heap instead of mmap.

    glibc maps every block above its mmap threshold (128 KiB at start) and raises the threshold to
    the size of a mapped block when one is freed. asyncio reads each socket into a fresh 256 KiB
    bytes object, so until some large block is freed every read costs mmap, mremap and munmap
    (strace; 7 % of the floor relay's CPU per update). Freeing one 1 MiB block settles it at start.
    """
    block = bytes(1 << 20)
    del block


def tune_gc() -> None:
    """Freeze what start-up built and collect young objects rarely (GC_YOUNG_THRESHOLD).

    After freeze() full collections scan only what serving creates; bench/README.md measured the
    worst snapshot loop lag going from 44 to 11 ms with 10,000 rooms.
    """
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)
