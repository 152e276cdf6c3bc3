"""Reference solution for A "Sum of Numbers": Python integers never overflow."""

import sys


def main() -> None:
    """Read n and the n numbers, print their exact sum."""
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    sys.stdout.write(f"{sum(map(int, data[1 : n + 1]))}\n")


if __name__ == "__main__":
    main()
