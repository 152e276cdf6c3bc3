"""Checks of the sample contest package data/contests/classic, its solutions and its generator."""

from __future__ import annotations

import functools
import html
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from server.contests.loader import load_contest
from server.contests.models import Contest

ROOT = Path(__file__).resolve().parents[1]
CONTESTS_DIR = ROOT / "data" / "contests"
CONTEST_DIR = CONTESTS_DIR / "classic"
SOLUTIONS_DIR = ROOT / "data" / "solutions" / "classic"
GENERATOR = ROOT / "data" / "tools" / "generate_classic.py"

ALIASES = ("A", "B", "C", "D", "E", "F")
FLOAT_TOLERANCE = 1e-6
MAX_FILE_BYTES = 2_000_000
MAX_CONTEST_BYTES = 15_000_000
WORKERS = 4


@functools.cache
def contest() -> dict[str, Any]:
    """Return the parsed contest.yaml."""
    data = yaml.safe_load((CONTEST_DIR / "contest.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def problem_dir(alias: str) -> Path:
    """Return the folder of the problem with the given alias."""
    paths = [p["path"] for p in contest()["problems"] if p["alias"] == alias]
    assert len(paths) == 1, f"alias {alias} listed {len(paths)} times"
    return CONTEST_DIR / paths[0]


def problem_yaml(alias: str) -> dict[str, Any]:
    """Return the parsed problem.yaml of a problem."""
    data = yaml.safe_load((problem_dir(alias) / "problem.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def inputs_of(alias: str, kind: str) -> list[Path]:
    """Return the .in files of one test group ("sample" or "secret"), sorted."""
    return sorted((problem_dir(alias) / "data" / kind).glob("*.in"))


def all_inputs(alias: str) -> list[Path]:
    """Return every .in file of a problem, samples first."""
    return inputs_of(alias, "sample") + inputs_of(alias, "secret")


def mismatch(got: str, want: str, floats: bool) -> str | None:
    """Compare outputs token by token like the judge; return what differs, or None."""
    got_tokens, want_tokens = got.split(), want.split()
    if len(got_tokens) != len(want_tokens):
        return f"{len(got_tokens)} tokens instead of {len(want_tokens)}"
    for i, (g, w) in enumerate(zip(got_tokens, want_tokens, strict=True)):
        if g == w:
            continue
        if floats:
            try:
                a, b = float(g), float(w)
            except ValueError:
                pass
            else:
                if math.isfinite(a) and abs(a - b) <= FLOAT_TOLERANCE * max(1.0, abs(b)):
                    continue
        return f"token {i}: {g[:40]!r} instead of {w[:40]!r}"
    return None


def check_program(command: list[str], alias: str) -> None:
    """Run command on every test of a problem and assert it prints the expected answers."""
    floats = "float_tolerance" in str(problem_yaml(alias).get("validator_flags", ""))
    timeout = max(10.0, 5 * float(problem_yaml(alias)["limits"]["time_limit"]))

    def run(test: Path) -> str | None:
        with test.open("rb") as stdin:
            result = subprocess.run(command, stdin=stdin, capture_output=True, timeout=timeout, check=False)
        if result.returncode != 0:
            return f"{test.name}: exit code {result.returncode}: {result.stderr.decode()[-500:]}"
        problem = mismatch(result.stdout.decode(), test.with_suffix(".ans").read_text(), floats)
        return f"{test.parent.name}/{test.name}: {problem}" if problem else None

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        failures = [f for f in pool.map(run, all_inputs(alias)) if f]
    assert not failures, "\n".join(failures)


@functools.cache
def loaded() -> Contest:
    """The contest as the server loads it."""
    return load_contest(CONTEST_DIR)


def rendered_statement(alias: str) -> str:
    """The statement page the server serves for a problem."""
    problem = loaded().problem(alias)
    assert problem is not None and problem.statement.source == "md"
    return problem.statement_html.decode()


def files_under(folder: Path) -> Iterator[Path]:
    """Yield every file below folder, relative to it, in sorted order."""
    return (p.relative_to(folder) for p in sorted(folder.rglob("*")) if p.is_file())


def test_contest_yaml() -> None:
    """contest.yaml has the id, name, duration and the six problems A..F."""
    data = contest()
    assert data["id"] == 1
    assert data["name"] == "Classic Training Set"
    assert data["duration"] == 18000
    assert [p["alias"] for p in data["problems"]] == list(ALIASES)
    for p in data["problems"]:
        folder = (CONTEST_DIR / p["path"]).resolve()
        assert folder.parent == CONTEST_DIR.resolve(), f"{p['path']} is not a folder of the contest"
        assert folder.is_dir(), f"missing problem folder {p['path']}"


@pytest.mark.parametrize("alias", ALIASES)
def test_problem_package(alias: str) -> None:
    """Each problem has problem.yaml with name and limits, a statement and paired tests."""
    meta = problem_yaml(alias)
    assert isinstance(meta["name"], str) and meta["name"].strip()
    limits = meta["limits"]
    assert isinstance(limits["time_limit"], int | float) and 0 < limits["time_limit"] <= 10
    assert isinstance(limits["memory"], int) and 64 <= limits["memory"] <= 2048
    assert (meta.get("validator_flags") == "float_tolerance 1e-6") is (alias == "E")
    assert (problem_dir(alias) / "problem_statement" / "problem.en.md").is_file()
    statement = rendered_statement(alias)
    assert f'<h1 class="title">{alias}. {html.escape(meta["name"])}</h1>' in statement
    for part in ("legend", "input-specification", "output-specification", "notes"):
        assert f'<div class="{part}">' in statement, part
    assert '<table class="sample-tests">' in statement and "<math" in statement
    for kind, minimum in (("sample", 1), ("secret", 5)):
        folder = problem_dir(alias) / "data" / kind
        names = sorted(p.name for p in folder.iterdir())
        stems = sorted({p.stem for p in folder.iterdir()})
        assert len(stems) >= minimum, f"{kind}: only {len(stems)} tests"
        assert names == sorted(f"{s}{ext}" for s in stems for ext in (".ans", ".in")), f"{kind}: unpaired files"


@pytest.mark.parametrize("alias", ALIASES)
def test_statement_shows_samples(alias: str) -> None:
    """Every sample input and answer appears verbatim in a <pre> block of the statement."""
    statement = rendered_statement(alias)
    blocks = {html.unescape(b) for b in re.findall(r"<pre>(.*?)</pre>", statement, flags=re.DOTALL)}
    for test in inputs_of(alias, "sample"):
        assert test.read_text() in blocks, f"{test.name} is not in the statement"
        assert test.with_suffix(".ans").read_text() in blocks, f"answer of {test.name} is not in the statement"


def test_package_size_and_no_solutions_served() -> None:
    """Test files stay small, and no solution source sits in the served contests folder."""
    sizes = {p: p.stat().st_size for p in CONTEST_DIR.rglob("*") if p.is_file()}
    too_big = [f"{p.relative_to(CONTEST_DIR)}: {s}" for p, s in sizes.items() if s > MAX_FILE_BYTES]
    assert not too_big, too_big
    assert sum(sizes.values()) <= MAX_CONTEST_BYTES
    sources = [p for p in CONTESTS_DIR.rglob("*") if p.suffix in (".py", ".cpp", ".c", ".java")]
    assert not sources, sources


@pytest.mark.parametrize("alias", ALIASES)
def test_python_reference_solution(alias: str) -> None:
    """The Python reference solution prints the expected answer on every test."""
    check_program([sys.executable, str(SOLUTIONS_DIR / f"{alias}.py")], alias)


@pytest.mark.parametrize("alias", [a for a in ALIASES if (SOLUTIONS_DIR / f"{a}.cpp").exists()])
def test_cpp_reference_solution(alias: str, tmp_path: Path) -> None:
    """The C++ reference solution (g++ -std=c++20 -O2, as the judge compiles) agrees with the answers."""
    compiler = shutil.which("g++")
    if compiler is None:
        pytest.skip("g++ is not installed")
    binary = tmp_path / alias
    source = SOLUTIONS_DIR / f"{alias}.cpp"
    subprocess.run([compiler, "-std=c++20", "-O2", "-o", str(binary), str(source)], check=True, timeout=120)
    check_program([str(binary)], alias)


def test_cpp_solutions_exist_for_two_problems() -> None:
    """At least two problems have a C++ reference solution too."""
    assert len(list(SOLUTIONS_DIR.glob("*.cpp"))) >= 2


def test_generator_reproduces_committed_data(tmp_path: Path) -> None:
    """Running the generator into an empty folder recreates every test file byte for byte."""
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    problem_paths = sorted(p["path"] for p in contest()["problems"])
    assert sorted(p.name for p in tmp_path.iterdir()) == problem_paths
    for path in problem_paths:
        committed = CONTEST_DIR / path / "data"
        generated = tmp_path / path / "data"
        assert list(files_under(generated)) == list(files_under(committed)), f"{path}: different files"
        differing = [
            str(f) for f in files_under(committed) if (committed / f).read_bytes() != (generated / f).read_bytes()
        ]
        assert not differing, f"{path}: regenerated files differ: {differing}"


def test_float_comparison() -> None:
    """The token comparison used above accepts small float errors only where allowed."""
    check = mismatch
    assert check("1.0000000001\n", "1.000000000", True) is None
    assert check("1000000.5000001", "1000000.5", True) is None
    assert check("1.00001", "1.0", True) is not None
    assert check("1.0000000001", "1.000000000", False) is not None
    assert check("YES NO", "YES\nNO\n", False) is None
    assert check("YES", "YES NO", False) is not None
    assert check("nan", "1.0", True) is not None
