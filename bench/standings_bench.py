"""Benchmark standings: the full recompute per request (before) against the kept per-contest table (after).

Run from the repository root:  python bench/standings_bench.py [--submissions 100000] [--sessions 1000]

A database with one contest of 10 problems, `--sessions` sessions and `--submissions` judged
submissions is written straight to SQLite, then both ways are timed through the real store and
services. "loop blocked" is the longest stretch the event loop could not run a 1 ms ticker.
"""

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.contests.models import Contest, ContestCatalog
from server.domain.bus import EventBus
from server.domain.events import SubmissionJudged
from server.scoring import Attempt, Participant, standings
from server.services.access import AccessService
from server.services.standings import StandingsService
from server.store import Store

ALIASES = "ABCDEFGHIJ"
VERDICTS = ["OK", "WrongAnswer", "WrongAnswer", "TimeLimitExceeded", "CompilationError", "RuntimeError"]


def fill(path: Path, sessions: int, submissions: int) -> list[str]:
    """Users, teams, sessions and judged submissions of contest 1, written in one transaction."""
    db = sqlite3.connect(path)
    now = datetime(2030, 1, 1, tzinfo=UTC)
    stamp = now.isoformat()
    ids = [str(uuid.uuid4()) for _ in range(sessions)]
    with db:
        for n, session_id in enumerate(ids, start=1):
            db.execute("INSERT INTO users VALUES (?, ?, 'x', 'f', 'l', ?)", (n, f"user{n}", stamp))
            db.execute("INSERT INTO teams VALUES (?, ?, ?, ?)", (n, f"team {n}", n, stamp))
            db.execute(
                "INSERT INTO training_sessions VALUES (?, ?, 1, 'FINISHED', ?, ?, ?)",
                (session_id, n, stamp, stamp, (now + timedelta(hours=5)).isoformat()),
            )
        rng = random.Random(1)
        rows = [
            (rng.choice(ids), rng.choice(ALIASES), 1, "python3_docker", f"src {i}".encode(), rng.choice(VERDICTS),
             rng.randrange(5 * 3600 * 1000), stamp)
            for i in range(submissions)
        ]  # fmt: skip
        db.executemany(
            "INSERT INTO submissions (session_id, problem_alias, author_id, compiler, source, verdict, "
            "time_from_start, dt_submitted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.close()
    return ids


async def full_recompute(store: Store, contest: Contest) -> Any:
    """What every standings request did before: read every submission of the contest and score them."""
    sessions = await store.sessions.of_contest(contest.id)
    names = await store.teams.names([s.team_id for s in sessions])
    participants = [Participant(s.id, names[s.team_id]) for s in sessions]
    attempts = [
        Attempt(s.session_id, s.problem_alias, s.verdict, s.time_from_start, s.upsolving)
        for s in await store.submissions.of_contest(contest.id)
    ]
    return standings([(a, a) for a in contest.problems], participants, attempts)


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """(seconds taken, longest event-loop stall in seconds) of one call."""
    stalls = [0.0]
    running = True

    async def ticker() -> None:
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            stalls[0] = max(stalls[0], now - last - 0.001)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    start = time.perf_counter()
    await call()
    took = time.perf_counter() - start
    running = False
    await task
    return took, stalls[0]


def report(name: str, samples: list[tuple[float, float]]) -> None:
    took = [t for t, _ in samples]
    stall = max(s for _, s in samples)
    print(f"{name:<42} {statistics.median(took) * 1000:9.1f} ms   loop blocked up to {stall * 1000:7.1f} ms")


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        await store.open()  # creates the schema
        ids = fill(store.db.path, args.sessions, args.submissions)
        contest = Contest(1, "Bench", 18000, {alias: _Problem(alias) for alias in ALIASES})  # type: ignore[arg-type]
        bus = EventBus()
        service = StandingsService(store, AccessService(store, ContestCatalog()), bus)
        print(f"{args.submissions} submissions, {args.sessions} sessions, {len(ALIASES)} problems")

        report("before: full recompute per request", [await timed(lambda: full_recompute(store, contest))])
        report("after: first request (builds the table)", [await timed(lambda: service.of_contest(contest))])
        report("after: request, nothing changed", [await timed(lambda: service.of_contest(contest)) for _ in range(20)])
        after_verdict = []
        for _ in range(20):
            submission = (await store.submissions.of_session(random.choice(ids)))[0]
            bus.publish(SubmissionJudged(submission))
            after_verdict.append(await timed(lambda: service.of_contest(contest)))
        report("after: request after a verdict", after_verdict)
        assert (await service.of_contest(contest)).rows == (await full_recompute(store, contest)).rows
        await store.close()


class _Problem:
    """The one field of a problem the standings read."""

    def __init__(self, name: str) -> None:
        self.name = name


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=1000)
    asyncio.run(main(parser.parse_args()))
