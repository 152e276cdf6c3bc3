"""Benchmark the judge: per-test overhead against a bare subprocess, and throughput.

Run from the repository root:  python bench/judge_bench.py [--runs 50] [--submissions 10]
"""

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.judge import Judge, JudgeTask, TestCase, verdicts
from server.judge.judge import run_limits
from server.judge.sandbox import Sandbox, open_stdio
from server.judge.types import VALIDATION_CUSTOM, VALIDATION_INTERACTIVE, ValidatorSource

SOLUTION = b"""#include <cstdio>
int main() {
    long n, s = 0, x;
    if (std::scanf("%ld", &n) != 1) return 1;
    for (long i = 0; i < n; i++) { std::scanf("%ld", &x); s += x; }
    std::printf("%ld\\n", s);
}
"""
TESTS = 20
MIB = 1 << 20
# A Kattis output validator for the same problem: recompute the sum from the input.
SUM_VALIDATOR = b"""#include <cstdio>
int main(int argc, char **argv) {
    FILE *in = std::fopen(argv[1], "r");
    long n, s = 0, x, got;
    if (!in || std::fscanf(in, "%ld", &n) != 1) return 1;
    for (long i = 0; i < n; i++) { if (std::fscanf(in, "%ld", &x) != 1) return 1; s += x; }
    return std::scanf("%ld", &got) == 1 && got == s ? 42 : 43;
}
"""
# The same problem as an interactive one: the validator hands the input over and checks the reply.
SUM_INTERACTOR = b"""#include <cstdio>
int main(int argc, char **argv) {
    FILE *in = std::fopen(argv[1], "r");
    long n, s = 0, x, got;
    if (!in || std::fscanf(in, "%ld", &n) != 1) return 1;
    std::printf("%ld\\n", n);
    for (long i = 0; i < n; i++) { if (std::fscanf(in, "%ld", &x) != 1) return 1; s += x; std::printf("%ld ", x); }
    std::printf("\\n");
    std::fflush(stdout);
    return std::scanf("%ld", &got) == 1 && got == s ? 42 : 43;
}
"""


def make_tests(folder: Path, count: int) -> list[TestCase]:
    """A problem with `count` small tests (sum of 1000 numbers)."""
    folder.mkdir(parents=True, exist_ok=True)
    tests = []
    for i in range(1, count + 1):
        numbers = [(i * 7919 + k * 104729) % 1000003 for k in range(1000)]
        (folder / f"{i:02}.in").write_text(f"{len(numbers)}\n{' '.join(map(str, numbers))}\n")
        (folder / f"{i:02}.ans").write_text(f"{sum(numbers)}\n")
        tests.append(TestCase(f"secret/{i:02}", folder / f"{i:02}.in", folder / f"{i:02}.ans"))
    return tests


async def timed(runs: int, once: Callable[[], Awaitable[object]]) -> list[float]:
    """Milliseconds per call, after two warm-up calls."""
    for _ in range(2):
        await once()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await once()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p90(samples: list[float]) -> float:
    """The 90th percentile."""
    return statistics.quantiles(samples, n=10)[-1]


async def main(runs: int, submissions: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="tt-bench-"))
    try:
        await bench(root, runs, submissions)
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def bench(root: Path, runs: int, submissions: int) -> None:
    judge = Judge(root / "work", isolation="weak")
    print(f"isolation: {judge.isolation}\n")
    tests = make_tests(root / "data", TESTS)

    box = root / "box"
    box.mkdir(mode=0o755)
    (box / "sol.cpp").write_bytes(SOLUTION)
    gpp = await asyncio.create_subprocess_exec(
        "g++", "-std=c++20", "-O2", "-o", str(box / "prog"), str(box / "sol.cpp")
    )
    assert await gpp.wait() == 0
    os.chmod(root, 0o755)  # so that the unisolated variant's user can reach the binary
    out = root / "out"

    async def bare() -> None:
        # The same file handling as the sandbox: open both ends, spawn, wait.
        fin, fout = open_stdio(tests[0].input_path, out)
        with fin, fout:
            proc = await asyncio.create_subprocess_exec("./prog", stdin=fin, stdout=fout, cwd=box)
        await proc.wait()

    sandbox: Sandbox = judge._sandbox
    limits = run_limits(1.0, 256 * MIB)
    # Variants swap the sandbox's prepared launcher arguments (and its cgroup tree) for the time of the run.
    lean = [sandbox.launcher.path, *(f for f in sandbox._choice.flags if f == "-S")]
    namespaces = [sandbox.launcher.path, *sandbox._choice.flags]

    def sandboxed(static: list[str] | None, with_cgroups: bool) -> Callable[[], Awaitable[object]]:
        async def once() -> None:
            saved = sandbox._static, sandbox.cgroups
            if static is not None:
                sandbox._static = static
            if not with_cgroups:
                sandbox.cgroups = None
            try:
                with sandbox.lease() as lease:
                    await sandbox.run(
                        ["./prog"], workdir=box, limits=limits, lease=lease, stdin=tests[0].input_path, stdout=out
                    )
            finally:
                sandbox._static, sandbox.cgroups = saved

        return once

    rows = [("bare asyncio subprocess", await timed(runs, bare))]
    rows.append(("launcher, no namespaces (fallback)", await timed(runs, sandboxed(lean, False))))
    rows.append(("+ namespaces", await timed(runs, sandboxed(namespaces, False))))
    if sandbox.cgroups is not None:
        rows.append(("+ cgroup per run", await timed(runs, sandboxed(namespaces, True))))
    rows.append(("full isolation (+ allow-list root)", await timed(runs, sandboxed(None, True))))

    # Per test inside the judge: the time between the starts of consecutive
    # runs of one submission (run, verdict, comparison, next test's files).
    starts: list[float] = []
    run = sandbox.run

    async def stamped(*args: Any, **kwargs: Any) -> Any:
        starts.append(time.perf_counter())
        return await run(*args, **kwargs)

    task = JudgeTask(SOLUTION, "gcc_cpp20", tests, 1.0, 256 * MIB)
    compile_only = JudgeTask(SOLUTION, "gcc_cpp20", [], 1.0, 256 * MIB)
    t_compile = await timed(max(3, submissions // 2), lambda: judge.judge(compile_only))
    report = await judge.judge(task)
    assert report.verdict == verdicts.OK, report
    per_test: list[float] = []

    async def one_submission() -> None:
        starts.clear()
        await judge.judge(task)
        # starts[0] is the compile step; the tests follow.
        per_test.extend((b - a) * 1000 for a, b in pairwise(starts[1:]))

    sandbox.run = stamped  # type: ignore[method-assign]
    try:
        t_full = await timed(submissions, one_submission)
    finally:
        sandbox.run = run  # type: ignore[method-assign]
    rows.append(("judge, per test (run + compare)", per_test))

    base = statistics.median(rows[0][1])
    print(f"per-test cost, {runs} runs each, judge {submissions}x{TESTS} (quick C++ program, 1000 numbers in):")
    print(f"  {'variant':36} {'median ms':>10} {'p90 ms':>8} {'overhead':>9}")
    for name, samples in rows:
        med = statistics.median(samples)
        print(f"  {name:36} {med:10.2f} {p90(samples):8.2f} {med - base:+9.2f}")

    await validator_rows(judge, root, tests, submissions)

    start = time.perf_counter()
    await asyncio.gather(*(judge.judge(task) for _ in range(submissions)))
    parallel = time.perf_counter() - start
    seq = statistics.median(t_full) / 1000
    print(f"\nthroughput, {TESTS}-test problem, g++ compile {statistics.median(t_compile):.0f} ms median:")
    print(f"  {'mode':34} {'subm/s':>10} {'tests/s':>8}")
    print(f"  {'one at a time':34} {1 / seq:10.2f} {TESTS / seq:8.1f}")
    print(f"  {f'{submissions} at once':34} {submissions / parallel:10.2f} {submissions * TESTS / parallel:8.1f}")
    tests_only = statistics.median(per_test) / 1000
    print(f"  {'tests only (compile excluded)':34} {'':>10} {1 / tests_only:8.1f}")
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    judge.close()


async def validator_rows(judge: Judge, root: Path, tests: list[TestCase], submissions: int) -> None:
    """Per test, a whole submission's time over its tests, for the default validator, a custom one and interaction."""
    folders = {}
    for name, source in (("validator", SUM_VALIDATOR), ("interactor", SUM_INTERACTOR)):
        folders[name] = root / name
        folders[name].mkdir()
        (folders[name] / f"{name}.cpp").write_bytes(source)
    variants = {
        "default validator (token compare)": {},
        "custom validator (Kattis, C++)": {
            "validation": VALIDATION_CUSTOM,
            "validator": ValidatorSource(folders["validator"], "kattis", "cpp", time_limit=2),
        },
        "interactive (C++ interactor)": {
            "validation": VALIDATION_INTERACTIVE,
            "validator": ValidatorSource(folders["interactor"], "kattis", "cpp", time_limit=2),
        },
    }
    compile_only = JudgeTask(SOLUTION, "gcc_cpp20", [], 1.0, 256 * MIB)
    t_compile = statistics.median(await timed(max(3, submissions // 2), lambda: judge.judge(compile_only)))
    print(f"\nper test with each kind of validator ({submissions}x{TESTS} tests, compile excluded):")
    print(f"  {'validation':36} {'ms/test':>10} {'over default':>13}")
    base = None
    for name, extra in variants.items():
        task = JudgeTask(SOLUTION, "gcc_cpp20", tests, 1.0, 256 * MIB, **extra)  # type: ignore[arg-type]
        report = await judge.judge(task)  # also builds the validator once
        assert report.verdict == verdicts.OK, (name, report)
        per_test = (statistics.median(await timed(submissions, lambda t=task: judge.judge(t))) - t_compile) / TESTS
        base = per_test if base is None else base
        print(f"  {name:36} {per_test:10.2f} {per_test - base:+13.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--submissions", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.submissions))
