"""End-to-end verdicts from the judge with real compilers and real processes."""

import dataclasses
import fcntl
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from server.judge import Judge, JudgeError, JudgeTask, TestCase, verdicts
from server.judge.judge import COMPILE_LIMITS

from .support.judge import judge_fixture, open_judge

MIB = 1 << 20
MEMORY = 64 * MIB
TIME = 0.5

PY_SUM = "a, b = map(int, input().split())\nprint(a + b)\n"
CPP_SUM = "#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }\n"
C_SUM = '#include <stdio.h>\nint main(void) { long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b); }\n'
CPP_HEAD = "#include <cstdio>\n#include <cstring>\n#include <vector>\n"


def make_tests(folder: Path, pairs: Sequence[tuple[str, str]]) -> list[TestCase]:
    """Write (input, answer) pairs as sample/01, secret/02, ... files."""
    folder.mkdir(parents=True, exist_ok=True)
    tests = []
    for i, (given, answer) in enumerate(pairs, start=1):
        group = "sample" if i == 1 else "secret"
        (folder / f"{i:02}.in").write_text(given)
        (folder / f"{i:02}.ans").write_text(answer)
        tests.append(TestCase(f"{group}/{i:02}", folder / f"{i:02}.in", folder / f"{i:02}.ans"))
    return tests


judge = judge_fixture()


@pytest.fixture(scope="module")
def work_root(judge: Judge) -> Path:
    """The folder the module's judge works under (its instance folder is the only thing in it)."""
    return judge._work.root.parent


@pytest.fixture
def sums(tmp_path: Path) -> list[TestCase]:
    return make_tests(tmp_path / "data", [("1 2\n", "3\n"), ("40 2\n", "42\n"), ("-5 5\n", "0\n")])


async def run(judge: Judge, compiler: str, source: str, tests: Sequence[TestCase], **kw: object) -> str:
    task = JudgeTask(source.encode(), compiler, tests, kw.pop("time_limit", TIME), kw.pop("memory", MEMORY), **kw)  # type: ignore[arg-type]
    report = await judge.judge(task)
    return report.verdict


@pytest.mark.parametrize(
    ("compiler", "source"), [("python3_docker", PY_SUM), ("gcc_cpp20", CPP_SUM), ("gcc_c17", C_SUM)]
)
async def test_ok_all_languages(
    judge: Judge, sums: list[TestCase], work_root: Path, compiler: str, source: str
) -> None:
    report = await judge.judge(JudgeTask(source.encode(), compiler, sums, TIME, MEMORY))
    assert report.verdict == verdicts.OK, report
    assert report.failed_test == 0
    assert [t.test_name for t in report.tests] == ["sample/01", "secret/02", "secret/03"]
    assert [t.sequence_number for t in report.tests] == [1, 2, 3]
    assert all(t.verdict == verdicts.OK for t in report.tests)
    assert report.time == max(t.running_time for t in report.tests)
    assert report.memory == max(t.memory_used for t in report.tests) > 0
    assert report.memory < MEMORY
    # the submission folder is gone; the instance folder keeps its lock, the sandbox root's mount point, the validators
    assert os.listdir(work_root) == [f"tt-judge-{judge.instance}"]
    assert sorted(os.listdir(work_root / f"tt-judge-{judge.instance}")) == [".lock", "newroot", "validators"]


async def test_wrong_answer(judge: Judge, sums: list[TestCase]) -> None:
    assert await run(judge, "python3_docker", "print(3)\n", sums) == verdicts.WRONG_ANSWER


async def test_stops_at_first_failing_test(judge: Judge, tmp_path: Path) -> None:
    tests = make_tests(tmp_path, [("1 2\n", "3\n"), ("2 2\n", "5\n"), ("3 3\n", "6\n")])
    report = await judge.judge(JudgeTask(C_SUM.encode(), "gcc_c17", tests, TIME, MEMORY))
    assert report.verdict == verdicts.WRONG_ANSWER
    assert report.failed_test == 2
    assert [t.verdict for t in report.tests] == [verdicts.OK, verdicts.WRONG_ANSWER]


async def test_float_tolerance(judge: Judge, tmp_path: Path) -> None:
    tests = make_tests(tmp_path, [("", "0.3333333333\n")])
    source = "print(1 / 3 + 5e-7)\n"
    floats = [dataclasses.replace(t, validator_flags=("float_tolerance", "1e-6")) for t in tests]
    assert await run(judge, "python3_docker", source, floats) == verdicts.OK
    assert await run(judge, "python3_docker", source, tests) == verdicts.WRONG_ANSWER


FAILURES = [
    ("c exit code", "gcc_c17", "int main(void) { return 3; }\n", verdicts.RUNTIME_ERROR),
    (
        "c++ segfault",
        "gcc_cpp20",
        "int main() { int *volatile p = nullptr; *(volatile int *)p = 1; }\n",
        verdicts.RUNTIME_ERROR,
    ),
    ("python exception", "python3_docker", "print(1 // 0)\n", verdicts.RUNTIME_ERROR),
    (
        "c++ busy loop",
        "gcc_cpp20",
        "int main() { volatile unsigned long x = 0; for (;;) x = x + 1; }\n",
        verdicts.TIME_LIMIT_EXCEEDED,
    ),
    ("python busy loop", "python3_docker", "while True:\n    pass\n", verdicts.TIME_LIMIT_EXCEEDED),
    ("python sleep", "python3_docker", "import time\ntime.sleep(30)\n", verdicts.IDLENESS_LIMIT_EXCEEDED),
    (
        "c++ touch 3x in chunks",
        "gcc_cpp20",
        CPP_HEAD + "int main() { std::vector<std::vector<char>> v; long s = 0;\n"
        "  for (int i = 0; i < 192; i++) { v.emplace_back(1 << 20, char(i)); s += v.back()[i]; }\n"
        '  std::printf("%ld\\n", s); }\n',
        verdicts.MEMORY_LIMIT_EXCEEDED,
    ),
    (
        "c++ one 3x block",
        "gcc_cpp20",
        CPP_HEAD + 'int main() { std::vector<char> v(192 << 20, 1); std::printf("%d\\n", v[12345]); }\n',
        verdicts.MEMORY_LIMIT_EXCEEDED,
    ),
    (
        "c malloc in chunks",
        "gcc_c17",
        "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
        "int main(void) { long s = 0; for (int i = 0; i < 192; i++) { char *p = malloc(1 << 20);\n"
        '  memset(p, i, 1 << 20); s += p[7]; } printf("%ld\\n", s); }\n',
        verdicts.MEMORY_LIMIT_EXCEEDED,
    ),
    (
        "python touch 3x in chunks",
        "python3_docker",
        "chunks = [bytes([i % 256]) * (1 << 20) for i in range(192)]\nprint(len(chunks))\n",
        verdicts.MEMORY_LIMIT_EXCEEDED,
    ),
    (
        "python one 3x block",
        "python3_docker",
        "s = b'x' * (192 << 20)\nprint(len(s))\n",
        verdicts.MEMORY_LIMIT_EXCEEDED,
    ),
    (
        "c++ endless output",
        "gcc_cpp20",
        '#include <cstdio>\nint main() { for (;;) std::fputs("0123456789abcdef\\n", stdout); }\n',
        verdicts.OUTPUT_LIMIT_EXCEEDED,
    ),
    ("python endless output", "python3_docker", "while True:\n    print('x' * 1000)\n", verdicts.OUTPUT_LIMIT_EXCEEDED),
    (
        # 60 MiB of output fill the page cache, which the memory cgroup counts too: near the limit, but
        # nothing ran out of memory
        "c big output, then exit code",
        "gcc_c17",
        "#include <stdio.h>\n#include <string.h>\nstatic char b[1 << 20];\n"
        "int main(void) { memset(b, 'x', sizeof b); for (int i = 0; i < 60; i++) fwrite(b, 1, sizeof b, stdout);\n"
        "  fflush(stdout); return 1; }\n",
        verdicts.RUNTIME_ERROR,
    ),
    ("python syntax error", "python3_docker", "print(\n", verdicts.COMPILATION_ERROR),
    ("c++ syntax error", "gcc_cpp20", "int main( {\n", verdicts.COMPILATION_ERROR),
    ("c undeclared name", "gcc_c17", "int main(void) { return x; }\n", verdicts.COMPILATION_ERROR),
]


@pytest.mark.parametrize(("compiler", "source", "expected"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
async def test_failure_verdicts(judge: Judge, sums: list[TestCase], compiler: str, source: str, expected: str) -> None:
    report = await judge.judge(JudgeTask(source.encode(), compiler, sums, TIME, MEMORY))
    assert report.verdict == expected, report
    if expected == verdicts.COMPILATION_ERROR:
        assert report.compile_log.strip()
        assert report.tests == [] and report.failed_test == 0
    else:
        assert report.failed_test == 1
        assert report.tests[0].verdict == expected
    if expected == verdicts.TIME_LIMIT_EXCEEDED:
        assert TIME * 1000 - 50 <= report.time < TIME * 1000 + 1500  # timer and rusage differ by ticks


async def test_compile_log_carries_the_message(judge: Judge, sums: list[TestCase]) -> None:
    report = await judge.judge(JudgeTask(b"int main() { return y; }\n", "gcc_cpp20", sums, TIME, MEMORY))
    assert "error:" in report.compile_log and "was not declared" in report.compile_log
    report = await judge.judge(JudgeTask(b"print(\n", "python3_docker", sums, TIME, MEMORY))
    assert "SyntaxError" in report.compile_log and "sol.py" in report.compile_log


async def test_compile_log_is_truncated(judge: Judge, sums: list[TestCase]) -> None:
    source = "".join(f"int f{i}() {{ return undefined_{i}; }}\n" for i in range(3000)).encode()
    report = await judge.judge(JudgeTask(source, "gcc_c17", sums, TIME, MEMORY))
    assert report.verdict == verdicts.COMPILATION_ERROR
    assert len(report.compile_log) < 70_000
    assert report.compile_log.endswith("(truncated)")


async def test_unknown_compiler(judge: Judge, sums: list[TestCase]) -> None:
    with pytest.raises(ValueError, match="pascal"):
        await judge.judge(JudgeTask(b"begin end.", "pascal", sums, TIME, MEMORY))


async def test_no_tests_is_ok(judge: Judge) -> None:
    report = await judge.judge(JudgeTask(b"print(1)\n", "python3_docker", [], TIME, MEMORY))
    assert report.verdict == verdicts.OK and report.tests == []


async def test_test_files_gone_while_judging_are_a_judge_error(judge: Judge, sums: list[TestCase]) -> None:
    # A contest replaced while its submissions are judged: its old folder (the test files) is removed.
    sums[1].input_path.unlink()
    with pytest.raises(JudgeError, match="No such file or directory"):
        await run(judge, "python3_docker", PY_SUM, sums)


def test_abandoned_folders_are_cleared_at_start(tmp_path: Path) -> None:
    # A judge killed mid-submission leaves its instance folder; the next one clears it
    # unless a live judge still holds the folder's lock.
    dead, live = tmp_path / "tt-judge-dead", tmp_path / "tt-judge-live"
    for folder in (dead, live):
        (folder / "sub-1" / "box").mkdir(parents=True)
        (folder / ".lock").touch()
    with open(live / ".lock") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        judge = Judge(tmp_path)
        assert sorted(os.listdir(tmp_path)) == sorted(["tt-judge-live", f"tt-judge-{judge.instance}"])
        judge.close()
        assert os.listdir(tmp_path) == ["tt-judge-live"]


COMPILE_BOMBS = [
    ("endless include", '#include "/dev/urandom"\nint main() {}\n'),
    (
        "exponential templates",
        "template <int N, int M> struct F { static const int v = F<N - 1, 2 * M>::v + F<N - 1, 2 * M + 1>::v; };\n"
        "template <int M> struct F<0, M> { static const int v = 1; };\nint main() { return F<40, 0>::v; }\n",
    ),
]


@pytest.mark.parametrize("source", [b[1] for b in COMPILE_BOMBS], ids=[b[0] for b in COMPILE_BOMBS])
async def test_a_compile_bomb_ends_in_seconds(tmp_path: Path, source: str) -> None:
    # The contest limits are 10 s of CPU, 15 s in all and 1 GiB; smaller ones here keep the test quick.
    assert (COMPILE_LIMITS.cpu_time, COMPILE_LIMITS.wall_time, COMPILE_LIMITS.memory) == (10, 15, 1024 * MIB)
    small = dataclasses.replace(COMPILE_LIMITS, cpu_time=1.5, wall_time=3, memory=256 * MIB)
    with open_judge(tmp_path / "work", compile_limits=small) as judge:
        started = time.monotonic()
        report = await judge.judge(JudgeTask(source.encode(), "gcc_cpp20", [], TIME, MEMORY))
    assert time.monotonic() - started < 3 + 2
    assert report.verdict == verdicts.COMPILATION_ERROR
    assert "Compilation time limit exceeded" in report.compile_log or "memory limit exceeded" in report.compile_log


# 1 MiB of memory, 40 MiB written: to stdout (a file's page cache) or to /dev/shm (memory that is the program's)
BIG_WRITER_C = """#include <stdio.h>
#include <string.h>
static char b[1 << 20];
int main(void) {
    FILE *out = %s;
    if (!out) return 3;
    memset(b, 'x', sizeof b);
    for (int i = 0; i < 40; i++) fwrite(b, 1, sizeof b, out);
    fflush(out);
    puts("done");
    return 0;
}
"""


async def test_output_written_is_not_reported_as_memory(judge: Judge, tmp_path: Path) -> None:
    """The memory cgroup charges the output file's page cache to the run; the reported memory leaves it out."""
    tests = make_tests(tmp_path / "data", [("", "done\n")])
    task = JudgeTask((BIG_WRITER_C % "stdout").encode(), "gcc_c17", tests, 2.0, 256 * MIB)
    report = await judge.judge(task)
    assert report.verdict == verdicts.WRONG_ANSWER  # 40 MiB of x before "done"
    assert 0 < report.memory < 16 * MIB, report.memory


async def test_shared_memory_files_stay_counted_as_memory(judge: Judge, tmp_path: Path) -> None:
    """Files in /dev/shm (tmpfs) are memory the program holds: they stay in the reported figure."""
    tests = make_tests(tmp_path / "data", [("", "done\n")])
    task = JudgeTask((BIG_WRITER_C % 'fopen("/dev/shm/hold", "w")').encode(), "gcc_c17", tests, 2.0, 256 * MIB)
    report = await judge.judge(task)
    assert report.verdict == verdicts.OK, (report, report.compile_log)
    assert report.memory >= 40 * MIB, report.memory
