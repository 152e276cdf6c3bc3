"""Custom output validators through the judge: Kattis and testlib conventions, built once, judging errors kept apart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from server.contests.validators import program_language
from server.judge import Judge, JudgeError, JudgeTask, TestCase, validators, verdicts
from server.judge.compilers import COMPILERS
from server.judge.sandbox import Lease, Limits, RunResult
from server.judge.types import TESTLIB, VALIDATION_CUSTOM, ValidatorSource
from server.judge.validators import content_key, kattis_judgement, validator_limits

from .support.judge import MIB, judge_fixture, needs_root

PROBLEMS = Path(__file__).parent / "judge_problems"
SUMMANDS = PROBLEMS / "two_summands"
# As the package loader makes them (kind, language "c"/"cpp"/"python3"), with limits of their own.
CPP_VALIDATOR = ValidatorSource(SUMMANDS / "validator", "kattis", "cpp", time_limit=2, memory_limit=256 * MIB)
PY_VALIDATOR = ValidatorSource(SUMMANDS / "validator_py", "kattis", "python3", time_limit=2, memory_limit=256 * MIB)
TESTLIB_CHECKER = ValidatorSource(PROBLEMS / "testlib_sum" / "checker", TESTLIB, "cpp", "check.cpp", time_limit=2)

# n in, any two positive summands out
HALVES = b"n = int(input())\nprint(n // 2, n - n // 2)\n"
ONE_AND_REST = b"n = int(input())\nprint(1, n - 1)\n"
OFF_BY_ONE = b"n = int(input())\nprint(1, n)\n"
BIG_FIRST = b"n = int(input())\nprint(n - 1, 1)\n"


judge = judge_fixture()


def summand_tests(flags: tuple[str, ...] = ()) -> list[TestCase]:
    """The problem's tests; `flags` as the package's validator_flags (each test carries them)."""
    data = SUMMANDS / "data"
    return [TestCase(f"secret/{i}", data / f"{i}.in", data / f"{i}.ans", flags) for i in (1, 2)]


def task(source: bytes, validator: ValidatorSource, tests: list[TestCase]) -> JudgeTask:
    return JudgeTask(source, "python3_docker", tests, 1.0, 64 * MIB, validation=VALIDATION_CUSTOM, validator=validator)


@pytest.mark.parametrize("validator", [CPP_VALIDATOR, PY_VALIDATOR], ids=["c++", "python"])
async def test_several_correct_answers_are_all_accepted(judge: Judge, validator: ValidatorSource) -> None:
    for source in (HALVES, ONE_AND_REST, BIG_FIRST):
        report = await judge.judge(task(source, validator, summand_tests()))
        assert report.verdict == verdicts.OK, report


@pytest.mark.parametrize("validator", [CPP_VALIDATOR, PY_VALIDATOR], ids=["c++", "python"])
async def test_a_wrong_answer_carries_the_validators_message(judge: Judge, validator: ValidatorSource) -> None:
    report = await judge.judge(task(OFF_BY_ONE, validator, summand_tests()))
    assert report.verdict == verdicts.WRONG_ANSWER and report.failed_test == 1
    assert "10" in report.tests[0].message  # judgemessage.txt: "1 + 10 ... 10"


async def test_validator_flags_are_passed(judge: Judge) -> None:
    assert (await judge.judge(task(BIG_FIRST, PY_VALIDATOR, summand_tests()))).verdict == verdicts.OK
    report = await judge.judge(task(BIG_FIRST, PY_VALIDATOR, summand_tests(("min_first",))))
    assert report.verdict == verdicts.WRONG_ANSWER
    assert "smaller summand" in report.tests[0].message


async def test_a_validator_is_built_once_per_content(judge: Judge, tmp_path: Path) -> None:
    built = judge._validators._built
    before = dict(built)
    await judge.judge(task(HALVES, CPP_VALIDATOR, summand_tests()))
    await judge.judge(task(HALVES, CPP_VALIDATOR, summand_tests()))
    key = content_key(CPP_VALIDATOR)
    assert key in built and (key not in before or built[key] is before[key])
    assert len(built) - len(before) <= 1
    # The same sources elsewhere are the same validator; a changed file is another.
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "validate.cpp").write_bytes((CPP_VALIDATOR.folder / "validate.cpp").read_bytes())
    assert content_key(ValidatorSource(copy, "kattis", "cpp")) == key
    (copy / "validate.cpp").write_bytes(b"// changed\n" + (CPP_VALIDATOR.folder / "validate.cpp").read_bytes())
    assert content_key(ValidatorSource(copy, "kattis", "cpp")) != key


async def test_a_single_file_validator_and_one_with_build_and_run_scripts(judge: Judge, tmp_path: Path) -> None:
    # The package loader hands a validator over as one source file, or as a folder with its own scripts.
    single = ValidatorSource(CPP_VALIDATOR.folder / "validate.cpp", "kattis", "cpp", time_limit=2)
    assert (await judge.judge(task(ONE_AND_REST, single, summand_tests()))).verdict == verdicts.OK
    scripted = tmp_path / "scripted"
    scripted.mkdir()
    (scripted / "validate.cpp").write_bytes((CPP_VALIDATOR.folder / "validate.cpp").read_bytes())
    (scripted / "build").write_text("g++ -O2 -o validate validate.cpp\n")
    (scripted / "run").write_text('exec ./validate "$@"\n')
    scripts = ValidatorSource(scripted, "kattis", None, time_limit=2)
    assert (await judge.judge(task(ONE_AND_REST, scripts, summand_tests()))).verdict == verdicts.OK
    assert (await judge.judge(task(OFF_BY_ONE, scripts, summand_tests()))).verdict == verdicts.WRONG_ANSWER


async def test_a_testlib_checker(judge: Judge) -> None:
    data = PROBLEMS / "testlib_sum"
    tests = [TestCase("secret/1", data / "1.in", data / "1.ans")]
    summing = b"a, b = map(int, input().split())\nprint(a + b)\n"
    report = await judge.judge(task(summing, TESTLIB_CHECKER, tests))
    assert report.verdict == verdicts.OK and report.tests[0].message == "ok 5"
    report = await judge.judge(task(b"print(6)\n", TESTLIB_CHECKER, tests))
    assert report.verdict == verdicts.WRONG_ANSWER and "expected 5, found 6" in report.tests[0].message
    report = await judge.judge(task(b"print('five')\n", TESTLIB_CHECKER, tests))
    assert report.verdict == verdicts.WRONG_ANSWER  # a presentation error is a wrong answer in ICPC


async def test_a_validator_breaking_its_convention_is_a_judging_error(judge: Judge) -> None:
    broken = ValidatorSource(PROBLEMS / "broken_validators" / "exits_zero", "kattis", "python3", time_limit=2)
    report = await judge.judge(task(HALVES, broken, summand_tests()))
    assert report.verdict == verdicts.JUDGE_ERROR and report.failed_test == 1
    assert "exited with code 0" in report.judge_error and "not 42 or 43" in report.judge_error


async def test_a_validator_that_does_not_build_is_a_judging_error(judge: Judge) -> None:
    broken = ValidatorSource(PROBLEMS / "broken_validators" / "does_not_build", "kattis", "cpp", time_limit=2)
    with pytest.raises(JudgeError, match="validator does not build") as first:
        await judge.judge(task(HALVES, broken, summand_tests()))
    # Remembered for its content: the next submission gets the same error without another build.
    box = judge._validators._root / content_key(broken)
    shutil.rmtree(box)
    with pytest.raises(JudgeError) as again:
        await judge.judge(task(ONE_AND_REST, broken, summand_tests()))
    assert str(again.value) == str(first.value) and not box.exists()


PEEK = b"""
import os
n = int(input())
seen = os.path.exists("/judge") or os.path.exists("validate.cpp")
print(1 if seen else n // 2, n - 1 if seen else n - n // 2)
"""


async def test_a_submission_cannot_reach_the_validator(judge: Judge) -> None:
    # The validator runs as its own uid with its own view: the submission sees neither its program nor its folder.
    report = await judge.judge(task(PEEK, CPP_VALIDATOR, summand_tests()))
    assert report.verdict == verdicts.OK and report.tests[0].message == ""


LIMITS = validator_limits(CPP_VALIDATOR)


def ran(exit_code: int | None = None, signal: int | None = None, timed_out: bool = False) -> RunResult:
    return RunResult(exit_code, signal, 10, 10, MIB, timed_out)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (ran(42), verdicts.OK),
        (ran(43), verdicts.WRONG_ANSWER),
        (ran(0), verdicts.JUDGE_ERROR),
        (ran(1), verdicts.JUDGE_ERROR),
        (ran(signal=11), verdicts.JUDGE_ERROR),
        (ran(42, timed_out=True), verdicts.JUDGE_ERROR),
    ],
)
def test_kattis_exit_codes(result: RunResult, expected: str) -> None:
    assert kattis_judgement(result, LIMITS, "msg").verdict == expected


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (0, "ok", verdicts.OK),
        (1, "wrong", verdicts.WRONG_ANSWER),
        (2, "presentation", verdicts.WRONG_ANSWER),
        (3, "fail: no answer", verdicts.JUDGE_ERROR),
        (4, "extra output", verdicts.WRONG_ANSWER),
        (7, "points 1", verdicts.OK),
        (7, "points 0", verdicts.WRONG_ANSWER),
        (8, "unexpected eof", verdicts.WRONG_ANSWER),
        (42, "", verdicts.JUDGE_ERROR),
    ],
)
def test_testlib_exit_codes(code: int, message: str, expected: str) -> None:
    assert (
        validators.testlib_judgement(ran(code), Limits(2, 5, MIB, MIB, MIB, MIB, 8, MIB), message).verdict == expected
    )


def scripted_validator(folder: Path, build: str, run: str) -> ValidatorSource:
    """A Kattis validator folder with its own `build` and `run` scripts (run as the validator's uid)."""
    folder.mkdir()
    (folder / "build").write_text(build)
    (folder / "run").write_text(run)
    return ValidatorSource(folder, "kattis", None, time_limit=2)


def root_only_file(path: Path, text: str, owner: int = 0) -> Path:
    path.write_text(text)
    os.chown(path, owner, owner)
    path.chmod(0o600)
    return path


@needs_root
async def test_links_planted_by_a_validator_build_are_not_followed(judge: Judge, tmp_path: Path) -> None:
    # After the build, root hands the box back read-only: it must change the links, never what they point at.
    target = root_only_file(tmp_path / "private", "not yours", owner=4321)
    (tmp_path / "private-dir").mkdir(mode=0o700)
    build = f"ln -s {target} planted\nln -s {tmp_path / 'private-dir'} planted-dir\nmkdir sub\nln -s {target} sub/x\n"
    planted = scripted_validator(tmp_path / "planted", build, "exit 42\n")
    assert (await judge.judge(task(HALVES, planted, summand_tests()))).verdict == verdicts.OK
    info = target.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (4321, 4321, 0o600)
    assert (tmp_path / "private-dir").stat().st_mode & 0o7777 == 0o700


@needs_root
async def test_a_judgemessage_link_does_not_show_root_only_files(judge: Judge, tmp_path: Path) -> None:
    secret = root_only_file(tmp_path / "shadow", "root:secret-hash-4711")
    run = f'ln -s {secret} "$3/judgemessage.txt"\nexit 43\n'
    linking = scripted_validator(tmp_path / "linking", "", run)
    report = await judge.judge(task(HALVES, linking, summand_tests()))
    assert report.verdict == verdicts.WRONG_ANSWER
    assert "secret-hash-4711" not in report.tests[0].message


async def test_a_judgemessage_fifo_does_not_hang_the_judge(judge: Judge, tmp_path: Path) -> None:
    # Opening a FIFO nobody writes to blocks: read as a message, it would stop the event loop.
    fifo = scripted_validator(tmp_path / "fifo", "", 'mkfifo "$3/judgemessage.txt"\necho "from stderr" >&2\nexit 43\n')
    report = await judge.judge(task(HALVES, fifo, summand_tests()))
    assert report.verdict == verdicts.WRONG_ANSWER and report.tests[0].message == "from stderr"


async def test_a_run_folder_prepared_again_is_fresh(judge: Judge, tmp_path: Path) -> None:
    # A starved test runs again with the same number, so its validator folder is prepared a second time.
    folder = tmp_path / "validate-1"
    with judge._sandbox.user() as uid:
        lease = Lease(uid, 0)
        await judge._validators.prepare_folder(folder, lease)
        (folder / "judgemessage.txt").write_text("from the first run")
        await judge._validators.prepare_folder(folder, lease)
        assert list(folder.iterdir()) == []
        if uid is not None:
            assert (folder.stat().st_uid, folder.stat().st_mode & 0o777) == (uid, 0o700)


JAVA_VALIDATOR = """\
import java.io.*;
import java.nio.file.*;
import java.util.*;

public class Validate {
    public static void main(String[] args) throws IOException {
        long n = Long.parseLong(Files.readString(Path.of(args[0])).trim());
        String[] tokens = new String(System.in.readAllBytes()).trim().split("\\\\s+");
        long a = Long.parseLong(tokens[0]), b = Long.parseLong(tokens[1]);
        if (tokens.length == 2 && a > 0 && b > 0 && a + b == n) System.exit(42);
        Files.writeString(Path.of(args[2], "judgemessage.txt"), a + " + " + b + " is not " + n + "\\n");
        System.exit(43);
    }
}
"""


@pytest.mark.skipif("jdk17" not in COMPILERS, reason="Java is not installed here")
async def test_a_java_validator_as_the_loader_finds_it(judge: Judge, tmp_path: Path) -> None:
    # The package format lets a validator be written in any language the judge runs; Java is one.
    folder = tmp_path / "java_validator"
    folder.mkdir()
    (folder / "Validate.java").write_text(JAVA_VALIDATOR)
    validator = ValidatorSource(folder, "kattis", program_language(folder), time_limit=5)
    assert validator.language == "jdk17"
    assert (await judge.judge(task(HALVES, validator, summand_tests()))).verdict == verdicts.OK
    report = await judge.judge(task(OFF_BY_ONE, validator, summand_tests()))
    assert report.verdict == verdicts.WRONG_ANSWER and report.tests[0].message == "1 + 10 is not 10"
