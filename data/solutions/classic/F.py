"""Reference solution for F "Backpack": 0/1 knapsack DP over the capacity."""

import sys


def main() -> None:
    """Print the largest total value of items whose total weight fits the backpack."""
    data = sys.stdin.buffer.read().split()
    n, capacity = int(data[0]), int(data[1])
    values = list(map(int, data[2 : 2 + 2 * n]))
    # best[c] is the largest value with total weight at most c using the items seen so far
    best = [0] * (capacity + 1)
    for i in range(0, 2 * n, 2):
        w, v = values[i], values[i + 1]
        if w > capacity:
            continue
        # Every new entry reads only old entries, so one list comprehension per item
        # replaces the usual backwards loop and keeps CPython fast.
        taken = [b + v for b in best[: capacity + 1 - w]]
        best[w:] = [a if a > b else b for a, b in zip(best[w:], taken, strict=True)]
    sys.stdout.write(f"{best[capacity]}\n")


if __name__ == "__main__":
    main()
