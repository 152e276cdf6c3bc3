"""Reference solution for D "Growing Subsequence": patience sorting, O(n log n)."""

import sys
from bisect import bisect_left


def main() -> None:
    """Print the length of the longest strictly increasing subsequence."""
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    # tails[k] is the smallest possible last element of an increasing subsequence of length k + 1
    tails: list[int] = []
    for x in map(int, data[1 : n + 1]):
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    sys.stdout.write(f"{len(tails)}\n")


if __name__ == "__main__":
    main()
