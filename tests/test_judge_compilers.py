"""Languages: Java 17, PyPy 3 and Kotlin judged under the same limits; a toolchain that is missing is not offered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config
from server.judge import Judge, JudgeTask, TestCase, cgroups, compilers, verdicts
from server.judge.compilers import COMPILERS, KNOWN, available, java_class

from .support.api import Api, error_of
from .support.judge import MIB, judge_fixture
from .support.submissions import form

SUMS = [("1 2\n", "3\n"), ("40 2\n", "42\n")]

JAVA_OK = b"""
import java.util.Scanner;
public class Sum {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        long a = in.nextLong(), b = in.nextLong();
        System.out.println(a + b);
    }
}
"""
JAVA_WRONG = b"class Solution { public static void main(String[] a) { System.out.println(0); } }\n"
JAVA_GIGABYTE = b"""
public class Hog {
    public static void main(String[] args) {
        byte[] block = new byte[1 << 30];
        block[12345] = 1;
        System.out.println(block[12345]);
    }
}
"""
JAVA_SPIN = b"public class Spin { public static void main(String[] a) { long x = 0; while (true) x++; } }\n"
JAVA_BROKEN = b"public class Main { public static void main(String[] a) { int x = ; } }\n"

PYPY_OK = b"a, b = map(int, input().split())\nprint(a + b)\n"
PYPY_GIGABYTE = b"block = bytearray(1 << 30)\nprint(len(block))\n"
PYPY_SPIN = b"x = 0\nwhile True:\n    x += 1\n"

KOTLIN_OK = b"""
fun main() {
    val (a, b) = readLine()!!.trim().split(" ").map { it.toLong() }
    println(a + b)
}
"""
KOTLIN_GIGABYTE = b"fun main() { val block = ByteArray(1 shl 30); block[7] = 1; println(block[7]) }\n"
KOTLIN_SPIN = b"fun main() { var x = 0L; while (true) { x++ } }\n"

CASES = [
    ("jdk17", JAVA_OK, verdicts.OK),
    ("jdk17", JAVA_WRONG, verdicts.WRONG_ANSWER),
    ("jdk17", JAVA_GIGABYTE, verdicts.MEMORY_LIMIT_EXCEEDED),
    ("jdk17", JAVA_SPIN, verdicts.TIME_LIMIT_EXCEEDED),
    ("jdk17", JAVA_BROKEN, verdicts.COMPILATION_ERROR),
    ("pypy3_7_1_0", PYPY_OK, verdicts.OK),
    ("pypy3_7_1_0", PYPY_GIGABYTE, verdicts.MEMORY_LIMIT_EXCEEDED),
    ("pypy3_7_1_0", PYPY_SPIN, verdicts.TIME_LIMIT_EXCEEDED),
    ("kotlin_1_8_0", KOTLIN_OK, verdicts.OK),
    ("kotlin_1_8_0", KOTLIN_GIGABYTE, verdicts.MEMORY_LIMIT_EXCEEDED),
    ("kotlin_1_8_0", KOTLIN_SPIN, verdicts.TIME_LIMIT_EXCEEDED),
]


judge = judge_fixture()


@pytest.fixture(scope="module")
def tests(tmp_path_factory: pytest.TempPathFactory) -> list[TestCase]:
    folder = tmp_path_factory.mktemp("sums")
    out = []
    for i, (given, answer) in enumerate(SUMS, start=1):
        (folder / f"{i}.in").write_text(given)
        (folder / f"{i}.ans").write_text(answer)
        out.append(TestCase(f"secret/{i}", folder / f"{i}.in", folder / f"{i}.ans"))
    return out


@pytest.mark.parametrize(
    ("compiler", "source", "expected"), CASES, ids=[f"{c}-{e}-{i}" for i, (c, _, e) in enumerate(CASES)]
)
async def test_verdicts(judge: Judge, tests: list[TestCase], compiler: str, source: bytes, expected: str) -> None:
    if compiler not in COMPILERS:
        pytest.skip(f"{KNOWN[compiler].packages} is not installed here")
    report = await judge.judge(JudgeTask(source, compiler, tests, 1.0, 256 * MIB))
    assert report.verdict == expected, (report, report.compile_log)
    if expected == verdicts.TIME_LIMIT_EXCEEDED:
        assert 1000 <= report.time < 2500
    if expected == verdicts.OK:
        # the JVM's own memory is on top of the heap, and shown: but an honest program stays well inside
        assert 0 < report.memory < 256 * MIB


def test_java_class_is_found() -> None:
    assert java_class(JAVA_OK) == "Sum"
    assert java_class(JAVA_WRONG) == "Solution"  # not public: the class that declares main
    assert java_class(b"int x;") == "Main"


def test_a_language_is_offered_only_with_its_whole_toolchain() -> None:
    tools = {"python3": "/usr/bin/python3", "g++": "/usr/bin/g++", "java": "/usr/bin/java"}
    offered = available(tools)
    assert list(offered) == ["python3_docker", "gcc_cpp20"]  # java without javac or kotlinc: no Java, no Kotlin
    assert set(COMPILERS) <= set(KNOWN)
    assert list(COMPILERS)[:3] == ["python3_docker", "gcc_cpp20", "gcc_c17"]


async def test_an_uninstalled_language_is_not_offered_and_refused(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This machine, as if Kotlin were not installed (the app takes the offered languages when it is built).
    monkeypatch.delitem(compilers.COMPILERS, "kotlin_1_8_0", raising=False)
    client = await aiohttp_client(create_app(config))
    api = Api(client)
    listed = (await (await client.get("/compilers")).json())["compilers"]
    assert "kotlin_1_8_0" not in [c["id"] for c in listed]
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    resp = await client.post(
        f"/training-sessions/{ts}/submissions", data=form(KOTLIN_OK, compiler="kotlin_1_8_0"), headers=alice.headers
    )
    error = await error_of(resp, 422)
    assert "compiler" in error["details"]["fields"]


def test_recipes_give_the_jvm_the_problems_limit_as_heap() -> None:
    tools = {"javac": "/usr/bin/javac", "java": "/usr/bin/java", "kotlinc": "/usr/bin/kotlinc"}
    java = compilers.recipe("jdk17", tools, JAVA_OK, 256 * MIB)
    assert "-Xmx256m" in java.run_argv and java.source_name == "Sum.java" and java.run_argv[-1] == "Sum"
    kotlin = compilers.recipe("kotlin_1_8_0", tools, KOTLIN_OK, 64 * MIB)
    assert "-Xmx64m" in kotlin.run_argv and kotlin.memory_overhead == java.memory_overhead > 0
    with pytest.raises(KeyError, match="pypy3"):
        compilers.recipe("pypy3_7_1_0", tools)
    with pytest.raises(ValueError, match="pascal"):
        compilers.recipe("pascal", tools)


def test_readme_lists_every_language() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for lang in KNOWN.values():
        assert f"`{lang.info.id}`" in readme and lang.packages in readme


async def test_a_jvm_without_cgroups_is_capped_by_its_heap(
    tmp_path: Path, tests: list[TestCase], monkeypatch: pytest.MonkeyPatch
) -> None:
    # JUDGE_ISOLATION=weak on a machine without cgroups: no address-space cap (a JVM reserves gigabytes it never
    # uses), the heap limit still refuses the gigabyte.
    if "jdk17" not in COMPILERS:
        pytest.skip("openjdk-17-jdk-headless is not installed here")

    def no_cgroups(*args: object, **kwargs: object) -> None:
        raise cgroups.CgroupError("no cgroup hierarchy with a memory controller is mounted")

    monkeypatch.setattr(cgroups, "setup", no_cgroups)
    weak = Judge(tmp_path / "work", isolation="weak")
    try:
        assert "cgroups" in weak.layers.missing
        assert (await weak.judge(JudgeTask(JAVA_OK, "jdk17", tests, 1.0, 256 * MIB))).verdict == verdicts.OK
        report = await weak.judge(JudgeTask(JAVA_GIGABYTE, "jdk17", tests, 1.0, 256 * MIB))
        assert report.verdict == verdicts.MEMORY_LIMIT_EXCEEDED
    finally:
        weak.close()
