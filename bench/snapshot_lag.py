"""Event-loop lag while the Snapshotter writes many changed rooms (snapshots are "off the critical path").

In one process: build the app's core with server.composition.build_core on a temporary database
(the same store, archive, registry and Snapshotter create_app runs), fill the registry with N
training rooms whose editor holds K bytes of code, and run Snapshotter.save_changed while a ticker
task sleeps 1 ms at a time and records how late it wakes. Round 1 inserts every row; round 2
changes every room again and upserts. The final snapshot at shutdown (Snapshotter.stop) is timed too.

    python bench/snapshot_lag.py --rooms 10000 --code-bytes 20480
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchlib import ROOT, percentile, self_sample

from server.composition import build_core
from server.config import load_config
from server.rooms.snapshots import Snapshotter
from server.rooms.training import SessionFacts


async def _ticker(stop: asyncio.Event, lags: list[float], period: float) -> None:
    """Sleep `period` repeatedly and record each wake-up's delay beyond it, until stopped."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t = loop.time()
        await asyncio.sleep(period)
        lags.append(loop.time() - t - period)


async def _timed_save(snapshotter: Snapshotter, period: float) -> dict[str, Any]:
    """One save_changed with the ticker running: rows written, seconds, lag max and p99."""
    lags: list[float] = []
    stop = asyncio.Event()
    ticker = asyncio.create_task(_ticker(stop, lags, period))
    await asyncio.sleep(period * 3)  # the ticker is sleeping when the save starts
    t0 = time.perf_counter()
    written = await snapshotter.save_changed()
    seconds = time.perf_counter() - t0
    await asyncio.sleep(period * 3)
    stop.set()
    await ticker
    lags.sort()
    return {
        "rows": written,
        "save_s": seconds,
        "lag_max_ms": lags[-1] * 1e3 if lags else 0.0,
        "lag_p99_ms": percentile(lags, 99) * 1e3,
        "ticks": len(lags),
    }


def _code(i: int, round_: int, size: int) -> str:
    """A unique editor text of `size` characters (unique so nothing is shared between rooms)."""
    head = f"// room {i} round {round_}\n"
    line = 'for (int j = 0; j < n; ++j) { s += a[j] * "x"[0]; }\n'
    return (head + line * (size // len(line) + 1))[:size]


async def measure(rooms: int, code_bytes: int, period: float) -> dict[str, Any]:
    """Build the app's core, fill the registry, time two snapshot rounds and the final one at shutdown."""
    with tempfile.TemporaryDirectory(prefix="bench-snap-") as tmp:
        config = load_config(
            {
                "DB_PATH": str(Path(tmp) / "bench.db"),
                "CONTESTS_DIR": str(ROOT / "data" / "contests"),
                "SNAPSHOT_INTERVAL": "3600",  # the periodic task is not started; we call save ourselves
                "LOG_LEVEL": "WARNING",
            },
            env_file=None,
        )
        core = build_core(config)  # the same store, archive, registry and snapshotter the app runs
        await core.store.open()
        try:
            await core.archive.open()
            contest = next(iter(core.catalog.contests.values()))
            aliases = sorted(contest.problems)
            t0 = time.perf_counter()
            filled = []
            for i in range(rooms):
                facts = SessionFacts.of_aliases(i + 1, contest.id, aliases)
                room = await core.registry.training(str(uuid.uuid4()), facts, create=True)
                assert room is not None
                room.update_code(1, aliases[0], _code(i, 1, code_bytes), config.max_code_bytes)
                filled.append(room)
            fill_s = time.perf_counter() - t0
            first = await _timed_save(core.snapshotter, period)
            for i, room in enumerate(filled):
                room.update_code(1, aliases[0], _code(i, 2, code_bytes), config.max_code_bytes)
            second = await _timed_save(core.snapshotter, period)
            unchanged = await _timed_save(core.snapshotter, period)
            rss = self_sample().rss
            for i, room in enumerate(filled):  # the final snapshot at shutdown writes every room once more
                room.update_code(1, aliases[0], _code(i, 3, code_bytes), config.max_code_bytes)
            t1 = time.perf_counter()
            await core.snapshotter.stop()
            final_s = time.perf_counter() - t1
        finally:
            await core.store.close()
    return {
        "rooms": rooms,
        "code_bytes": code_bytes,
        "tick_ms": period * 1e3,
        "fill_s": fill_s,
        "insert": first,
        "upsert": second,
        "unchanged": unchanged,
        "shutdown_s": final_s,
        "rss": rss,
    }


def main(argv: list[str] | None = None) -> int:
    """Run once and print the JSON result (a summary goes to stderr)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rooms", type=int, default=10_000)
    p.add_argument("--code-bytes", type=int, default=20 * 1024)
    p.add_argument("--tick-ms", type=float, default=1.0, help="ticker period")
    p.add_argument("--json", dest="json_path", default=None)
    a = p.parse_args(argv)
    result = asyncio.run(asyncio.wait_for(measure(a.rooms, a.code_bytes, a.tick_ms / 1e3), timeout=600))
    for name in ("insert", "upsert", "unchanged"):
        r = result[name]
        print(
            f"[snapshot {name}] {r['rows']} rows in {r['save_s']:.2f} s, "
            f"loop lag max {r['lag_max_ms']:.1f} ms, p99 {r['lag_p99_ms']:.1f} ms",
            file=sys.stderr,
        )
    print(f"[snapshot] final snapshot at shutdown {result['shutdown_s']:.2f} s", file=sys.stderr)
    text = json.dumps(result)
    if a.json_path:
        Path(a.json_path).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
