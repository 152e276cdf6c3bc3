"""Generate the test data of the "classic" sample contest (data/contests/classic).

Usage (from the repository root)::

    python data/tools/generate_classic.py                 # rewrite the committed tests
    python data/tools/generate_classic.py --out /tmp/x    # write them somewhere else
    python data/tools/generate_classic.py --only C,E      # only some problems

For every problem the script writes ``<out>/<folder>/data/sample/NN.in`` and
``<out>/<folder>/data/secret/NN.in`` (removing older ``*.in``/``*.ans`` files
there first) and produces each ``NN.ans`` by running the Python reference
solution ``data/solutions/classic/<alias>.py`` on the ``.in`` file. Only the
``data`` folders are written: ``contest.yaml``, ``problem.yaml`` and the
Markdown statements ``problem_statement/problem.en.md`` are maintained by
hand (the server renders them at load, samples included, in the Yandex
Contest markup the web client's stylesheet expects). Every random test uses
its own fixed seed and the script needs nothing beyond the standard library,
so two runs give byte-identical files.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import math
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1]
DEFAULT_OUT = DATA_DIR / "contests" / "classic"
SOLUTIONS_DIR = DATA_DIR / "solutions" / "classic"

Tests = tuple[list[str], list[str]]  # (sample inputs, secret inputs)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of the contest: alias, folder and the function building its inputs."""

    alias: str
    folder: str
    build: Callable[[], Tests]


@dataclass(frozen=True, slots=True)
class TestFile:
    """One generated test: where its files go and what its input is."""

    problem: Problem
    path: Path  # without suffix, e.g. <out>/A-sum/data/secret/03
    text: str


def rng_for(alias: str, index: int) -> random.Random:
    """Return the random generator of one test; seeds are fixed so output never changes."""
    return random.Random(1000 * (ord(alias) - ord("A") + 1) + index)


def join(values: Iterable[object]) -> str:
    """Join values with single spaces."""
    return " ".join(map(str, values))


# --- A: Sum of Numbers ------------------------------------------------------

A_MAX = 10**18


def a_case(values: Sequence[int]) -> str:
    """Format one input of problem A."""
    return f"{len(values)}\n{join(values)}\n"


def build_a() -> Tests:
    """Build the inputs of problem A."""
    samples = [a_case([3, -1, 4, 1, -5]), a_case([A_MAX] * 10)]
    secret: list[str] = [a_case([0]), a_case([-A_MAX]), a_case([A_MAX])]
    r = rng_for("A", 4)
    secret.append(a_case([r.randint(-1000, 1000) for _ in range(100)]))
    r = rng_for("A", 5)
    secret.append(a_case([r.randint(-A_MAX, A_MAX) for _ in range(1000)]))
    # The running sum leaves the 64-bit range and comes back: the answer is 7.
    secret.append(a_case([A_MAX] * 50 + [-A_MAX] * 50 + [7]))
    # The sums 2^63 and -2^63 - 1 are just outside the signed 64-bit range.
    for sign, index in ((1, 7), (-1, 8)):
        target = 2**63 if sign > 0 else -(2**63) - 1
        values = [sign * A_MAX] * 9 + [target - sign * 9 * A_MAX]
        rng_for("A", index).shuffle(values)
        secret.append(a_case(values))
    r = rng_for("A", 9)
    secret.append(a_case([r.randint(9 * 10**17, A_MAX - 1) for _ in range(100_000)]))
    r = rng_for("A", 10)
    secret.append(a_case([r.randint(-A_MAX, -9 * 10**17) for _ in range(10_000)]))
    r = rng_for("A", 11)
    extremes = [A_MAX, -A_MAX, 0, A_MAX - 1, -A_MAX + 1]
    secret.append(a_case([r.choice(extremes) for _ in range(10_000)]))
    r = rng_for("A", 12)
    secret.append(a_case([r.randint(-(10**9), 10**9) for _ in range(20_000)]))
    return samples, secret


# --- B: Bracket Sequences ---------------------------------------------------

B_OPEN = "([{"
B_CLOSE = {"(": ")", "[": "]", "{": "}"}
B_ALL = "()[]{}"


def b_case(strings: Sequence[str]) -> str:
    """Format one input of problem B."""
    return f"{len(strings)}\n" + "".join(s + "\n" for s in strings)


def random_balanced(r: random.Random, length: int) -> str:
    """Return a random correctly nested bracket string of the given even length."""
    out: list[str] = []
    stack: list[str] = []
    opens_left = length // 2
    for _ in range(length):
        if stack and (opens_left == 0 or r.random() < 0.5):
            out.append(B_CLOSE[stack.pop()])
        else:
            c = r.choice(B_OPEN)
            stack.append(c)
            out.append(c)
            opens_left -= 1
    return "".join(out)


def deep(r: random.Random, depth: int) -> str:
    """Return depth random opening brackets followed by their closing brackets."""
    opening = [r.choice(B_OPEN) for _ in range(depth)]
    return "".join(opening) + "".join(B_CLOSE[c] for c in reversed(opening))


def corrupt(r: random.Random, s: str) -> str:
    """Return s with one random edit (change, delete, insert or swap a character)."""
    i = r.randrange(len(s))
    kind = r.randrange(4)
    if kind == 0:
        return s[:i] + r.choice(B_ALL.replace(s[i], "")) + s[i + 1 :]
    if kind == 1 and len(s) > 1:
        return s[:i] + s[i + 1 :]
    if kind == 2 or len(s) < 2:
        return s[:i] + r.choice(B_ALL) + s[i:]
    i = min(i, len(s) - 2)
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def mixed_strings(r: random.Random, count: int, max_length: int) -> list[str]:
    """Return count short strings: balanced, corrupted and random in equal shares."""
    strings = []
    for _ in range(count):
        kind = r.randrange(3)
        s = random_balanced(r, 2 * r.randint(1, max_length // 2))
        if kind == 1:
            s = corrupt(r, s)
        elif kind == 2:
            s = "".join(r.choice(B_ALL) for _ in range(r.randint(1, max_length)))
        strings.append(s)
    return strings


def build_b() -> Tests:
    """Build the inputs of problem B."""
    samples = [
        b_case(["()", "([]{})", "([)]", "(("]),
        b_case(["{[()()]}", ")(", "["]),
    ]
    secret = [b_case(["(", ")", "[]", "{}", "}{", "((()))", "([{}])", "([{)]}"])]
    every_short = ["".join(p) for k in range(1, 5) for p in itertools.product(B_ALL, repeat=k)]
    secret.append(b_case(every_short))
    secret.append(b_case(mixed_strings(rng_for("B", 3), 1000, 20)))
    # One string of 10^6 characters nested 500000 deep: no recursion, no repeated erasing.
    secret.append(b_case([deep(rng_for("B", 4), 500_000)]))
    r = rng_for("B", 5)
    middle = deep(r, 25_000)
    wrong = {")": "]", "]": "}", "}": ")"}[middle[25_000]]
    secret.append(
        b_case(
            [
                middle[:25_000] + wrong + middle[25_001:],
                "(" + deep(r, 25_000) + "]",
                deep(r, 25_000) + ")(",
            ]
        )
    )
    secret.append(b_case(mixed_strings(rng_for("B", 6), 20_000, 20)))
    r = rng_for("B", 7)
    long_strings = [random_balanced(r, 50_000) for _ in range(4)]
    long_strings[1] = corrupt(r, long_strings[1])
    long_strings[3] = corrupt(r, long_strings[3])
    secret.append(b_case(long_strings))
    secret.append(b_case(["(" * 50_000, "}" * 50_000]))
    secret.append(b_case(["([{}])" * 10_000, "()" * 29_999 + ")("]))
    secret.append(b_case(["{" * 25_000 + "}" * 24_999 + ")", "[" * 25_000 + "]" * 25_000]))
    r = rng_for("B", 11)
    pairs = ["".join(p) for p in itertools.product(B_ALL, repeat=2)]
    secret.append(b_case([r.choice(pairs) for _ in range(100_000)]))
    return samples, secret


# --- C: Shortest Routes -----------------------------------------------------

C_MAX_W = 10**6
Edge = tuple[int, int, int]


def c_case(n: int, edges: Sequence[Edge]) -> str:
    """Format one input of problem C."""
    return f"{n} {len(edges)}\n" + "".join(f"{u} {v} {w}\n" for u, v, w in edges)


def relabel(r: random.Random, n: int, edges: list[Edge], start: int = 1) -> list[Edge]:
    """Shuffle vertex labels (vertex start becomes 1), edge order and edge directions."""
    others = [v for v in range(1, n + 1) if v != start]
    r.shuffle(others)
    label = {start: 1}
    label.update(zip(others, range(2, n + 1), strict=True))
    out = [(label[v], label[u], w) if r.random() < 0.5 else (label[u], label[v], w) for u, v, w in edges]
    r.shuffle(out)
    return out


def random_graph(r: random.Random, n: int, m: int, max_w: int) -> list[Edge]:
    """Return a connected random graph: a random spanning tree plus random extra edges."""
    edges = [(v, r.randint(1, v - 1), r.randint(1, max_w)) for v in range(2, n + 1)]
    edges += [(r.randint(1, n), r.randint(1, n), r.randint(1, max_w)) for _ in range(m - len(edges))]
    return relabel(r, n, edges, start=r.randint(1, n))


def build_c() -> Tests:
    """Build the inputs of problem C."""
    samples = [
        c_case(4, [(1, 2, 4), (1, 3, 1), (3, 2, 2), (2, 4, 5), (3, 4, 8)]),
        c_case(5, [(1, 2, 7), (2, 1, 3), (2, 2, 1), (4, 5, 2)]),
    ]
    secret = [c_case(1, []), c_case(2, []), c_case(2, [(1, 2, 10), (2, 1, 5), (1, 1, 1)])]
    secret.append(c_case(10, random_graph(rng_for("C", 4), 10, 20, 20)))
    secret.append(c_case(1000, random_graph(rng_for("C", 5), 1000, 3000, C_MAX_W)))
    # A path of 5000 heaviest roads: distances reach about 5 * 10^9, beyond 32 bits.
    r = rng_for("C", 6)
    secret.append(c_case(5000, relabel(r, 5000, [(v, v + 1, C_MAX_W) for v in range(1, 5000)])))
    r = rng_for("C", 7)
    complete = [(u, v, r.randint(1, C_MAX_W)) for u in range(1, 151) for v in range(u + 1, 151)]
    secret.append(c_case(150, relabel(r, 150, complete, start=r.randint(1, 150))))
    # A grid with random weights, the classic input on which queue-based Bellman-Ford is slow.
    r = rng_for("C", 8)
    rows, cols = 100, 120
    grid: list[Edge] = []
    for i in range(rows):
        for j in range(cols):
            v = i * cols + j + 1
            if j + 1 < cols:
                grid.append((v, v + 1, r.randint(1, 1000)))
            if i + 1 < rows:
                grid.append((v, v + cols, r.randint(1, 1000)))
    secret.append(c_case(rows * cols, relabel(r, rows * cols, grid)))
    # The largest input: quadratic Dijkstra (scan all towns for the next one) is too slow.
    secret.append(c_case(70_000, random_graph(rng_for("C", 9), 70_000, 100_000, C_MAX_W)))
    # A star around town 1 plus a path of cheap roads: many distances improve many times.
    r = rng_for("C", 10)
    n = 10_000
    star = [(1, v, r.randint(1, C_MAX_W)) for v in range(2, n + 1)]
    star += [(v, v + 1, r.randint(1, 100)) for v in range(2, n)]
    secret.append(c_case(n, relabel(r, n, star)))
    # Hub h is reached from k middle towns, each time a bit cheaper, so h enters the heap
    # k times; a Dijkstra that rescans stale heap entries walks h's long list k times.
    r = rng_for("C", 11)
    k, tail = 10_000, 2000
    hub = k + 2
    hub_edges = [(1, i + 1, i) for i in range(1, k + 1)]
    hub_edges += [(i + 1, hub, 2 * (k - i) + 1) for i in range(1, k + 1)]
    hub_edges += [(hub, hub + j, j) for j in range(1, tail + 1)]
    secret.append(c_case(hub + tail, relabel(r, hub + tail, hub_edges)))
    # Two components: most towns are unreachable.
    r = rng_for("C", 12)
    near = random_graph(r, 3000, 4000, C_MAX_W)
    far = [(u + 3000, v + 3000, w) for u, v, w in random_graph(r, 7000, 8000, C_MAX_W)]
    secret.append(c_case(10_000, relabel(r, 10_000, near + far, start=1)))
    # The most towns, few roads: almost every answer is -1.
    r = rng_for("C", 13)
    sparse = [(r.randint(1, 100_000), r.randint(1, 100_000), r.randint(1, C_MAX_W)) for _ in range(1000)]
    sparse += [(1, r.randint(2, 100_000), r.randint(1, C_MAX_W)) for _ in range(10)]
    secret.append(c_case(100_000, sparse))
    return samples, secret


# --- D: Growing Subsequence -------------------------------------------------

D_MAX = 10**9


def d_case(values: Sequence[int]) -> str:
    """Format one input of problem D."""
    return f"{len(values)}\n{join(values)}\n"


def build_d() -> Tests:
    """Build the inputs of problem D."""
    samples = [d_case([3, 1, 4, 1, 5, 9]), d_case([4, 4, 1, 2, 2, 3, 0])]
    secret = [d_case([-D_MAX]), d_case([7] * 1000), d_case(list(range(1000, 0, -1)))]
    r = rng_for("D", 4)
    secret.append(d_case([r.randint(1, 5) for _ in range(10)]))
    r = rng_for("D", 5)
    secret.append(d_case([r.randint(-D_MAX, D_MAX) for _ in range(1000)]))
    r = rng_for("D", 6)
    secret.append(d_case([r.randint(1, 10) for _ in range(5000)]))
    r = rng_for("D", 7)
    secret.append(d_case([r.randint(-D_MAX, D_MAX) for _ in range(20_000)]))
    r = rng_for("D", 8)
    secret.append(d_case([r.randint(1, 10_000) for _ in range(50_000)]))
    # The longest answer: n = 2 * 10^5 strictly increasing values.
    secret.append(d_case(list(range(1, 200_001))))
    r = rng_for("D", 10)
    secret.append(d_case([10 * i + r.randint(-50, 50) for i in range(30_000)]))
    # Sawtooth: 200 decreasing runs of 100 values, shifted up a little each run.
    secret.append(d_case([1000 * run + 500 - 5 * i for run in range(200) for i in range(100)]))
    # Non-decreasing with many repeats: only distinct values count.
    r = rng_for("D", 12)
    secret.append(d_case(sorted(r.randint(1, 1000) for _ in range(50_000))))
    return samples, secret


# --- E: Fence Around the Orchard --------------------------------------------

E_MAX = 10**6
Point = tuple[int, int]


def e_case(points: Sequence[Point]) -> str:
    """Format one input of problem E."""
    return f"{len(points)}\n" + "".join(f"{x} {y}\n" for x, y in points)


def angle_order(a: Point, b: Point) -> int:
    """Compare two nonzero vectors by polar angle in [0, 2*pi), exactly."""
    half_a = a[1] < 0 or (a[1] == 0 and a[0] < 0)
    half_b = b[1] < 0 or (b[1] == 0 and b[0] < 0)
    if half_a != half_b:
        return 1 if half_a else -1
    c = a[0] * b[1] - a[1] * b[0]
    return -1 if c > 0 else (1 if c < 0 else 0)


def big_convex_polygon(radius: int) -> list[Point]:
    """Return a strictly convex lattice polygon whose edges are all primitive vectors in a disc.

    Chaining every primitive vector of length <= radius in angle order closes up
    (the set is symmetric) and gives the most vertices a lattice polygon of that
    size can have; the polygon is centred on the origin.
    """
    vectors = [
        (a, b)
        for a in range(-radius, radius + 1)
        for b in range(-radius, radius + 1)
        if (a or b) and math.gcd(a, b) == 1 and a * a + b * b <= radius * radius
    ]
    vectors.sort(key=functools.cmp_to_key(angle_order))
    polygon = list(itertools.accumulate(vectors, lambda p, v: (p[0] + v[0], p[1] + v[1]), initial=(0, 0)))
    polygon.pop()  # the chain closes: the last point repeats the first
    xs = [x for x, _ in polygon]
    ys = [y for _, y in polygon]
    dx = -(min(xs) + max(xs)) // 2
    dy = -(min(ys) + max(ys)) // 2
    return [(x + dx, y + dy) for x, y in polygon]


def inscribed_radius(polygon: Sequence[Point]) -> int:
    """Return the distance from the origin to the nearest edge line of a convex polygon, rounded down."""
    # Integer arithmetic only, so the result is the same on every platform.
    return min(
        math.isqrt((x1 * y2 - x2 * y1) ** 2 // ((x2 - x1) ** 2 + (y2 - y1) ** 2))
        for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True)
    )


def random_in_disc(r: random.Random, count: int, radius: int) -> list[Point]:
    """Return count random lattice points within the given distance of the origin."""
    points: list[Point] = []
    while len(points) < count:
        x, y = r.randint(-radius, radius), r.randint(-radius, radius)
        if x * x + y * y <= radius * radius:
            points.append((x, y))
    return points


def random_points(r: random.Random, count: int, limit: int = E_MAX) -> list[Point]:
    """Return count random lattice points in the square [-limit, limit]^2."""
    return [(r.randint(-limit, limit), r.randint(-limit, limit)) for _ in range(count)]


def build_e() -> Tests:
    """Build the inputs of problem E."""
    samples = [
        e_case([(0, 0), (4, 0), (4, 3), (2, 1), (0, 3)]),
        e_case([(0, 0), (2, 2), (-1, -1)]),
    ]
    secret = [e_case([(5, -7)]), e_case([(3, 3), (3, 3)]), e_case([(-E_MAX, -E_MAX), (E_MAX, E_MAX)])]
    r = rng_for("E", 4)
    t = [r.randint(-1000, 1000) for _ in range(1000)]
    secret.append(e_case([(3 * k + 17, -2 * k + 5) for k in t]))  # all on one line
    r = rng_for("E", 5)
    square: list[Point] = []
    for _ in range(500):
        s = r.randint(-1000, 1000)
        square += [(s, -1000), (s, 1000), (-1000, s), (1000, s)]
    square += random_points(r, 1000, 999)
    r.shuffle(square)
    secret.append(e_case(square))  # many trees on the fence's straight sides
    r = rng_for("E", 6)
    spots = random_points(r, 10, 50)
    secret.append(e_case([r.choice(spots) for _ in range(1000)]))
    secret.append(e_case(random_points(rng_for("E", 7), 10, 20)))
    secret.append(e_case(random_points(rng_for("E", 8), 1000)))
    r = rng_for("E", 9)
    ring: list[Point] = []
    for _ in range(5000):
        x = r.randint(-E_MAX, E_MAX)
        ring.append((x, r.choice((-1, 1)) * math.isqrt(E_MAX * E_MAX - x * x)))
    secret.append(e_case(ring))
    secret.append(e_case(random_points(rng_for("E", 10), 20_000)))
    # About 55000 of the 10^5 trees are corners of the fence: gift wrapping is too slow.
    r = rng_for("E", 11)
    polygon = big_convex_polygon(170)
    inside = random_in_disc(r, 100_000 - len(polygon), inscribed_radius(polygon) - 1)
    trees = polygon + inside
    r.shuffle(trees)
    secret.append(e_case(trees))
    r = rng_for("E", 12)
    corners = [(-E_MAX, -E_MAX), (E_MAX, -E_MAX), (E_MAX, E_MAX), (-E_MAX, E_MAX)]
    extreme = corners + random_points(r, 996)
    r.shuffle(extreme)
    secret.append(e_case(extreme))
    return samples, secret


# --- F: Backpack ------------------------------------------------------------

F_MAX_W = 50_000
F_MAX_V = 10**9
Item = tuple[int, int]


def f_case(capacity: int, items: Sequence[Item]) -> str:
    """Format one input of problem F."""
    return f"{len(items)} {capacity}\n" + "".join(f"{w} {v}\n" for w, v in items)


def build_f() -> Tests:
    """Build the inputs of problem F."""
    samples = [
        f_case(10, [(5, 10), (4, 40), (6, 30)]),
        f_case(5, [(6, 100), (2, 3), (3, 4), (4, 5)]),
    ]
    secret = [f_case(1, [(1, F_MAX_V)]), f_case(1, [(2, 5)])]
    r = rng_for("F", 3)
    secret.append(f_case(1000, [(r.randint(1001, 100_000), r.randint(1, F_MAX_V)) for _ in range(100)]))
    r = rng_for("F", 4)
    secret.append(f_case(F_MAX_W, [(r.randint(1, 500), F_MAX_V - r.randint(0, 10)) for _ in range(100)]))
    # The best value per weight first is wrong: one item of ratio 2.00004 blocks two of 1.99996.
    r = rng_for("F", 5)
    greedy_ratio = [(25_001, 50_002), (25_000, 49_999), (25_000, 49_999)]
    greedy_ratio += [(r.randint(20_000, 50_000), r.randint(1, 20_000)) for _ in range(27)]
    r.shuffle(greedy_ratio)
    secret.append(f_case(F_MAX_W, greedy_ratio))
    # The most valuable item first is wrong too.
    r = rng_for("F", 6)
    greedy_value = [(F_MAX_W, 10**8)] + [(F_MAX_W // 20, 6 * 10**6 + r.randint(0, 10**5)) for _ in range(20)]
    r.shuffle(greedy_value)
    secret.append(f_case(F_MAX_W, greedy_value))
    r = rng_for("F", 7)
    secret.append(f_case(100, [(r.randint(1, 40), r.randint(1, 100)) for _ in range(10)]))
    r = rng_for("F", 8)
    secret.append(f_case(F_MAX_W, [(r.randint(1, F_MAX_W), r.randint(1, F_MAX_V)) for _ in range(100)]))
    # Values close to the weights: many near-optimal choices, hard for heuristics.
    r = rng_for("F", 9)
    correlated = []
    for _ in range(100):
        w = r.randint(1, 1000)
        correlated.append((w, 10_000_000 * w + r.randint(0, 10_000_000)))
    secret.append(f_case(F_MAX_W, correlated))
    secret.append(f_case(F_MAX_W, [(501, F_MAX_V)] * 100))  # 99 of the 100 equal items fit
    r = rng_for("F", 11)
    secret.append(f_case(1, [(r.randint(1, 2), r.randint(1, F_MAX_V)) for _ in range(100)]))
    r = rng_for("F", 12)
    secret.append(f_case(F_MAX_W, [(r.randint(1, 100_000), r.randint(1, F_MAX_V)) for _ in range(100)]))
    return samples, secret


PROBLEMS = (
    Problem("A", "A-sum", build_a),
    Problem("B", "B-brackets", build_b),
    Problem("C", "C-routes", build_c),
    Problem("D", "D-lis", build_d),
    Problem("E", "E-fence", build_e),
    Problem("F", "F-knapsack", build_f),
)


def plan(out: Path, problems: Iterable[Problem]) -> list[TestFile]:
    """Build every input of the given problems and decide where each test goes."""
    files: list[TestFile] = []
    for problem in problems:
        samples, secret = problem.build()
        for kind, inputs in (("sample", samples), ("secret", secret)):
            folder = out / problem.folder / "data" / kind
            files += [TestFile(problem, folder / f"{i:02d}", text) for i, text in enumerate(inputs, 1)]
    return files


def solve(test: TestFile, python: str) -> None:
    """Write the .in file of one test and the .ans file made by the reference solution."""
    data = test.text.encode()
    test.path.with_suffix(".in").write_bytes(data)
    solution = SOLUTIONS_DIR / f"{test.problem.alias}.py"
    result = subprocess.run([python, str(solution)], input=data, capture_output=True, check=True, timeout=120)
    test.path.with_suffix(".ans").write_bytes(result.stdout)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="contest folder to write into")
    parser.add_argument("--only", default="", help="comma-separated aliases, e.g. A,C (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="solutions run at once")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the reference solutions")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the tests and return the process exit code."""
    args = parse_args(argv)
    wanted = {a.strip().upper() for a in args.only.split(",") if a.strip()}
    unknown = wanted - {p.alias for p in PROBLEMS}
    if unknown:
        print(f"unknown problem aliases: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    problems = [p for p in PROBLEMS if not wanted or p.alias in wanted]
    for problem in problems:
        for kind in ("sample", "secret"):
            folder = args.out / problem.folder / "data" / kind
            folder.mkdir(parents=True, exist_ok=True)
            for old in sorted(folder.iterdir()):
                if old.suffix in (".in", ".ans"):
                    old.unlink()
    tests = plan(args.out, problems)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for _ in pool.map(functools.partial(solve, python=args.python), tests):
            pass
    print(f"wrote {len(tests)} tests of {len(problems)} problems to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
