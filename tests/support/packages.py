"""Write small contest packages for tests."""

from __future__ import annotations

from pathlib import Path

import yaml

SUM_TESTS = [("1 2\n", "3\n"), ("10 -4\n", "6\n"), ("0 0\n", "0\n"), ("1000000000 1000000000\n", "2000000000\n")]


def write_problem(
    folder: Path,
    name: str,
    tests: list[tuple[str, str]],
    time_limit: float = 1,
    memory_mib: int = 64,
    samples: int = 1,
    float_tolerance: bool = False,
) -> None:
    """A Kattis-layout problem: the first `samples` tests are samples, the rest secret."""
    folder.mkdir(parents=True)
    meta: dict[str, object] = {"name": name, "limits": {"time_limit": time_limit, "memory": memory_mib}}
    if float_tolerance:
        meta["float_tolerance"] = True
    (folder / "problem.yaml").write_text(yaml.safe_dump(meta))
    (folder / "statement.html").write_text(f"<h1>{name}</h1><p>Solve it.</p>")
    for i, (inp, ans) in enumerate(tests, start=1):
        group = "sample" if i <= samples else "secret"
        (folder / "data" / group).mkdir(parents=True, exist_ok=True)
        (folder / "data" / group / f"{i:02}.in").write_text(inp)
        (folder / "data" / group / f"{i:02}.ans").write_text(ans)


def write_contest(root: Path, contest_id: int, name: str, duration: int = 18000, aliases: str = "AB") -> Path:
    """A contest whose problems all read two integers and print their sum."""
    folder = root / f"contest-{contest_id}"
    problems = []
    for alias in aliases:
        path = f"{alias.lower()}-sum"
        write_problem(folder / path, f"Sum {alias}", SUM_TESTS)
        problems.append({"alias": alias, "path": path})
    folder.mkdir(exist_ok=True)
    meta = {"id": contest_id, "name": name, "duration": duration, "problems": problems}
    (folder / "contest.yaml").write_text(yaml.safe_dump(meta))
    return folder
