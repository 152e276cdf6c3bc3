"""Summarise a py-spy `--format raw` (collapsed stacks) profile: top functions by self and total samples.

py-spy record -p PID -d 10 -r 200 --format raw -o prof.txt
python bench/profile_summary.py prof.txt --top 30
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]*)(?::(?P<line>\d+))?\)$")


def _name(frame: str, root: str) -> str:
    """`function (short/path.py)` without line numbers, so one function is one row."""
    m = _FRAME.match(frame)
    if not m:
        return frame
    path = m.group("file")
    for marker in ("site-packages/", "lib/python3.11/", root):
        if marker and marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{m.group('func')} ({path})"


def summarise(text: str, root: str = "", only: str | None = "run_forever") -> tuple[int, Counter[str], Counter[str]]:
    """(total samples, self samples by function, inclusive samples by function) of stacks containing `only`.

    The default keeps the event loop's thread: py-spy counts threads parked in a C-level wait
    (aiosqlite's, the executor's) as busy, which would drown the loop's real work.
    """
    total = 0
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit() or (only and only not in stack):
            continue
        count = int(count_text)
        frames = [_name(f, root) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for name in set(frames):
            incl[name] += count
    return total, own, incl


def report(text: str, top: int = 25, root: str = "", only: str | None = "run_forever") -> str:
    """The two tables as text."""
    total, own, incl = summarise(text, root, only)
    lines = [f"{total} samples"]
    for title, counter in (("self", own), ("total (inclusive)", incl)):
        lines.append(f"\n-- top {top} by {title} --")
        lines.extend(f"{100 * n / max(total, 1):6.1f}%  {name}" for name, n in counter.most_common(top))
    return "\n".join(lines)


def main() -> None:
    """Print the two tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent) + "/")
    parser.add_argument("--all-threads", action="store_true", help="keep every thread, not only the event loop's")
    args = parser.parse_args()
    only = None if args.all_threads else "run_forever"
    print(report(args.profile.read_text(), args.top, args.root, only))


if __name__ == "__main__":
    main()
