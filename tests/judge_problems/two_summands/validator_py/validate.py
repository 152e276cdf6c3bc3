"""Kattis output validator in Python: two positive integers summing to n, with flags `min_first` (a <= b)."""

import sys

with open(sys.argv[1]) as given:
    n = int(given.read())
feedback = sys.argv[3]
flags = sys.argv[4:]


def wrong(why: str) -> None:
    with open(feedback + "judgemessage.txt", "w") as f:
        f.write(why + "\n")
    sys.exit(43)


tokens = sys.stdin.read().split()
if len(tokens) != 2:
    wrong(f"expected two integers, got {len(tokens)} tokens")
a, b = map(int, tokens)
if a <= 0 or b <= 0 or a + b != n:
    wrong(f"{a} + {b} is not a sum of positives to {n}")
if "min_first" in flags and a > b:
    wrong("the smaller summand must come first")
sys.exit(42)
