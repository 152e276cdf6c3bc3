"""Reference solution for C "Shortest Routes": Dijkstra with a binary heap."""

import heapq
import sys


def main() -> None:
    """Print the distance from town 1 to every town, or -1 when unreachable."""
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    values = list(map(int, data[2 : 2 + 3 * m]))
    for i in range(0, 3 * m, 3):
        u, v, w = values[i], values[i + 1], values[i + 2]
        adjacency[u].append((v, w))
        adjacency[v].append((u, w))
    infinity = float("inf")
    dist: list[float] = [infinity] * (n + 1)
    dist[1] = 0
    heap: list[tuple[int, int]] = [(0, 1)]
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        d, u = pop(heap)
        if d != dist[u]:
            continue  # a stale entry: u was already settled with a shorter distance
        for v, w in adjacency[u]:
            nd = d + w
            if nd < dist[v]:
                dist[v] = nd
                push(heap, (nd, v))
    sys.stdout.write("\n".join(str(d) if d != infinity else "-1" for d in dist[1:]) + "\n")


if __name__ == "__main__":
    main()
