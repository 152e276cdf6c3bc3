"""Reference solution for E "Fence Around the Orchard": monotone chain convex hull."""

import math
import sys

Point = tuple[int, int]


def cross(o: Point, a: Point, b: Point) -> int:
    """Return the z component of (a - o) x (b - o)."""
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points: list[Point]) -> list[Point]:
    """Return the strictly convex hull of points in counter-clockwise order."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts
    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def main() -> None:
    """Print the length of the shortest fence around all trees."""
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    coords = list(map(int, data[1 : 2 * n + 1]))
    hull = convex_hull(list(zip(coords[0::2], coords[1::2], strict=True)))
    # Squared lengths are exact integers, sqrt is correctly rounded and fsum is exact,
    # so the printed answer does not depend on the platform.
    sides = (math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) for a, b in zip(hull, hull[1:] + hull[:1], strict=True))
    perimeter = math.fsum(sides) if len(hull) > 1 else 0.0
    sys.stdout.write(f"{perimeter:.9f}\n")


if __name__ == "__main__":
    main()
