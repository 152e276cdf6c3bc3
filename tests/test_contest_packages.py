"""Loading real problem packages: Kattis/ICPC (legacy and 2025-09) and Polygon, good and broken."""

from __future__ import annotations

import dataclasses
import errno
import re
import shutil
from pathlib import Path

import pytest
import yaml

from server.contests import polygon
from server.contests.errors import PackageError
from server.contests.loader import load_contest, load_contests, load_problem
from server.contests.testdata import load_samples, load_tests
from server.contests.validators import validation_of
from server.judge.validators import content_key

from .support.packages import write_contest, write_problem

PACKAGES = Path(__file__).parent / "packages"
BROKEN = PACKAGES / "broken"


@pytest.fixture(scope="module")
def contest():  # type: ignore[no-untyped-def]
    """The good test packages as the loader reads them (pandoc renders the LaTeX one when installed)."""
    return load_contest(PACKAGES)


def test_every_good_package_loads(contest) -> None:  # type: ignore[no-untyped-def]
    assert contest.id == 50 and list(contest.problems) == list("ABCDEFG")
    names = {a: p.name for a, p in contest.problems.items()}
    assert names == {
        "A": "Hypotenuse",
        "B": "Two Summands",
        "C": "Guess the Number",
        "D": "Legacy Sum",
        "E": "Greeting",
        "F": "PDF Only",
        "G": "Proper Divisor",
    }


def test_float_tolerance_flags_combine_problem_and_group(contest) -> None:  # type: ignore[no-untyped-def]
    problem = contest.problems["A"]
    assert problem.validation == "default" and problem.validator is None
    flags = {t.name: t.validator_flags for t in problem.tests}
    assert flags["secret/1"] == ("float_relative_tolerance", "1e-6")
    assert flags["secret/precise/1"] == ("float_relative_tolerance", "1e-6", "float_absolute_tolerance", "1e-9")
    assert (problem.time_limit, problem.time_limit_source) == (1.5, ".timelimit")
    assert problem.memory_limit == 256 << 20


def test_custom_validator_and_nested_groups_in_spec_order(contest) -> None:  # type: ignore[no-untyped-def]
    problem = contest.problems["B"]
    assert problem.validation == "custom"
    assert problem.validator is not None
    assert problem.validator.kind == "kattis" and problem.validator.language == "gcc_cpp20"
    assert problem.validator.folder == PACKAGES / "summands" / "output_validators" / "sum_check"
    assert (problem.output_limit, problem.validation_time, problem.validation_memory) == (1 << 20, 5.0, 512 << 20)
    assert [(t.name, t.validator_flags) for t in problem.tests] == [
        ("sample/1", ("positive",)),
        ("secret/1-small/01", ("positive", "small")),
        ("secret/1-small/02", ("positive", "small")),
        ("secret/2-large/02", ("positive",)),  # "02" sorts before the subgroup "a-sub"
        ("secret/2-large/a-sub/01", ("positive",)),
    ]


def test_interactive_problem(contest) -> None:  # type: ignore[no-untyped-def]
    problem = contest.problems["C"]
    assert problem.validation == "custom interactive"
    assert problem.validator is not None and problem.validator.language == "python3_docker"
    assert problem.validator.folder.name == "guess_validator"
    # the statement shows the interaction log, never the validator's .in/.ans
    samples = load_samples(PACKAGES / "guess", interactive=True)
    assert len(samples) == 1 and samples[0].interaction and samples[0].input is None


def test_legacy_package_without_time_limit_waits_for_derivation(contest) -> None:  # type: ignore[no-untyped-def]
    problem = contest.problems["D"]
    assert problem.time_limit_source == "pending" and contest.pending
    assert problem.derivation is not None
    assert [p.name for p in problem.derivation.accepted] == ["sum.c", "sum.py"]  # wrong_answer/ is not used
    assert problem.derivation.multiplier == 5 and problem.derivation.resolution is None


def test_2025_09_package(contest) -> None:  # type: ignore[no-untyped-def]
    problem = contest.problems["E"]
    assert problem.package_format == "2025-09"
    assert problem.statement.language == "en"  # English first, though Russian is there too
    assert (problem.time_limit, problem.memory_limit) == (0.5, 128 << 20)
    assert [t.validator_flags for t in problem.tests] == [(), ("case_sensitive",)]


def test_polygon_package(contest) -> None:  # type: ignore[no-untyped-def]
    problem = contest.problems["G"]
    assert problem.package_format == "polygon"
    assert (problem.time_limit, problem.memory_limit, problem.time_limit_source) == (1.5, 256 << 20, "polygon")
    assert [t.name for t in problem.tests] == ["sample/01", "secret/02", "secret/03", "secret/04"]
    assert problem.tests[0].input_path == PACKAGES / "divisor" / "tests" / "01"
    assert problem.tests[0].answer_path.name == "01.a"
    assert problem.validation == "custom"
    validator = problem.validator
    assert validator is not None
    assert (validator.kind, validator.language, validator.entry) == ("testlib", "gcc_cpp20", "check.cpp")
    assert (validator.folder / "testlib.h").is_file()


def test_polygon_standard_checker_without_source_uses_the_default_validator(tmp_path: Path) -> None:
    folder = shutil.copytree(PACKAGES / "divisor", tmp_path / "divisor")
    xml = (folder / "package.xml").read_text()
    xml = xml.replace('<checker name="check.cpp" type="testlib">', '<checker name="std::rcmp6.cpp" type="testlib">')
    (folder / "package.xml").write_text(xml.replace('path="files/check.cpp"', 'path="files/none.cpp"'))
    problem = load_problem("A", folder)
    assert problem.validation == "default" and problem.validator is None
    assert {t.validator_flags for t in problem.tests} == {("float_tolerance", "1e-6")}


def test_polygon_interactor_is_refused_clearly(tmp_path: Path) -> None:
    folder = shutil.copytree(PACKAGES / "divisor", tmp_path / "divisor")
    xml = (folder / "package.xml").read_text()
    xml = xml.replace("<assets>", '<assets><interactor><source path="files/i.cpp" type="cpp.g++17"/></interactor>')
    (folder / "package.xml").write_text(xml)
    with pytest.raises(PackageError, match="interactor"):
        load_problem("A", folder)


def test_package_xml_with_entities_is_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(PACKAGES / "divisor", tmp_path / "divisor")
    xml = (folder / "package.xml").read_text()
    (folder / "package.xml").write_text(xml.replace("<problem ", '<!DOCTYPE p [<!ENTITY a "aaaa">]><problem ', 1))
    with pytest.raises(PackageError, match="DOCTYPE"):
        load_problem("A", folder)


BROKEN_CASES = {
    "kattis": [
        "problem.yaml: limits.memory must be a positive number",
        "problem.yaml: unknown validation 'custom sideways'",
        "data/sample/1.in has no .ans file",
        "secret/group: output validator flags must be a string or a list of strings",
    ],
    "novalidator": ["validation is custom but there is no output_validators/"],
    "badflags": ["unknown default validator flag 'ignore_case'"],
    "polygon": [
        "tests 4 (gen 1000000007), 5 (gen 15), 6 (gen 49) are made by generators",
        "checker check.cpp needs testlib.h",
    ],
}


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_package_reports_every_fault(name: str) -> None:
    with pytest.raises(PackageError) as caught:
        load_problem("X", BROKEN / name)
    errors = caught.value.errors
    assert len(errors) == len(BROKEN_CASES[name]), errors
    for expected, error in zip(BROKEN_CASES[name], errors, strict=True):
        assert expected in error


def test_contest_errors_name_the_problem(tmp_path: Path) -> None:
    folder = tmp_path / "contest"
    folder.mkdir()
    shutil.copytree(BROKEN / "novalidator", folder / "nv")
    shutil.copytree(PACKAGES / "greeting", folder / "greeting")
    meta = {"id": 0, "name": "", "duration": 60, "problems": [{"alias": "A", "path": "greeting"}]}
    meta["problems"] += [{"alias": "B", "path": "nv"}, {"alias": "C", "path": "../.."}]
    (folder / "contest.yaml").write_text(yaml.safe_dump(meta))
    with pytest.raises(PackageError) as caught:
        load_contest(folder)
    assert caught.value.errors == [
        "contest.yaml: id must be a positive integer",
        "contest.yaml: name must be a non-empty string",
        "problem B: validation is custom but there is no output_validators/ (or output_validator/)",
        "problem C: path leaves the package",
    ]


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({}, "default"),
        ({"validation": "default"}, "default"),
        ({"validation": "custom"}, "custom"),
        ({"validation": "custom score"}, "custom"),
        ({"validation": "custom interactive"}, "custom interactive"),
        ({"type": "interactive"}, "custom interactive"),
        ({"type": ["pass-fail", "interactive"]}, "custom interactive"),
    ],
)
def test_validation_modes(meta: dict[str, object], expected: str) -> None:
    assert validation_of(meta, legacy=True) == expected


@pytest.mark.parametrize(
    "meta", [{"validation": "default interactive"}, {"validation": ""}, {"type": "submit-answer"}, {"type": 5}]
)
def test_unsupported_validation(meta: dict[str, object]) -> None:
    with pytest.raises(PackageError):
        validation_of(meta, legacy=True)


def test_our_old_float_tolerance_key_still_works(tmp_path: Path) -> None:
    from .support.packages import write_problem

    write_problem(tmp_path / "p", "Old", [("1\n", "1.0\n"), ("2\n", "2.0\n")], float_tolerance=True)
    problem = load_problem("A", tmp_path / "p")
    assert {t.validator_flags for t in problem.tests} == {("float_tolerance", "1e-6")}
    assert problem.statement.source == "html"


def test_symlink_out_of_the_package_is_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(PACKAGES / "greeting", tmp_path / "greeting")
    secret = tmp_path / "secret.txt"
    secret.write_text("x\n")
    (folder / "data" / "secret" / "2.in").symlink_to(secret)
    with pytest.raises(PackageError, match="links outside the package"):
        load_tests(folder)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("tests/%02d</input", "{outside}/%02d</input", "{outside}/01 links outside the package"),
        ("tests/%02d</input", "/nonexistent-tt/%02d</input", "test 1: /nonexistent-tt/01 is missing"),
        ("tests/%02d.a</answer", "/nonexistent-tt/%02d.a</answer", "answer /nonexistent-tt/01.a is missing"),
        ('path="files/check.cpp"', 'path="{outside}/check.cpp"', "{outside}/check.cpp links outside the package"),
    ],
    ids=["input-outside", "input-missing", "answer-missing", "checker-outside"],
)
def test_polygon_absolute_paths_are_package_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("01", "02", "03", "04", "check.cpp"):
        (outside / name).write_text("1\n")
    folder = shutil.copytree(PACKAGES / "divisor", tmp_path / "divisor")
    xml = (folder / "package.xml").read_text()
    (folder / "package.xml").write_text(xml.replace(old, new.format(outside=outside)))
    with pytest.raises(PackageError) as caught:
        load_problem("X", folder)
    assert any(expected.format(outside=outside) in error for error in caught.value.errors), caught.value.errors


def test_a_package_failing_in_an_unforeseen_way_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A read error no check foresaw (here: a statement file the disk fails to read) is that
    # package's fault: the others load, the server starts.
    root = tmp_path / "contests"
    write_contest(root, 1, "Good")
    bad = root / "bad"
    problem = shutil.copytree(PACKAGES / "divisor", bad / "divisor")
    (problem / "statements" / "english" / "problem-properties.json").unlink()
    (problem / "statements" / ".html" / "english").mkdir(parents=True)
    (problem / "statements" / ".html" / "english" / "problem.html").write_text("<p>statement</p>")

    def failing_disk(path: Path) -> str:
        raise OSError(errno.EIO, "Input/output error", str(path))

    monkeypatch.setattr(polygon, "read_text", failing_disk)
    meta = {"id": 2, "name": "Bad", "duration": 60, "problems": [{"alias": "A", "path": "divisor"}]}
    (bad / "contest.yaml").write_text(yaml.safe_dump(meta))
    result = load_contests(root)
    assert list(result.contests) == [1]
    [error] = result.failed["bad"]
    assert error.startswith("problem A: ") and "Input/output error" in error


def test_a_validator_is_named_by_its_content_at_load(contest) -> None:  # type: ignore[no-untyped-def]
    # The judge builds once per content key; the loader computes it once, not every submission.
    for alias in ("B", "C", "G"):
        validator = contest.problems[alias].validator
        assert validator is not None and validator.key == content_key(dataclasses.replace(validator, key=""))


def test_polygon_test_count_beyond_any_package_is_refused_at_once(tmp_path: Path) -> None:
    # Each missing test was one error: a count of millions took minutes and gigabytes of the server's
    # memory, and answered with millions of messages.
    folder = shutil.copytree(PACKAGES / "divisor", tmp_path / "divisor")
    xml = (folder / "package.xml").read_text()
    (folder / "package.xml").write_text(xml.replace("<test-count>4<", "<test-count>1000000000<"))
    with pytest.raises(PackageError, match="test-count 1000000000 is more than") as caught:
        load_problem("X", folder)
    assert len(caught.value.errors) == 1


def test_polygon_missing_tests_are_listed_in_short(tmp_path: Path) -> None:
    folder = shutil.copytree(PACKAGES / "divisor", tmp_path / "divisor")
    xml = (folder / "package.xml").read_text()
    (folder / "package.xml").write_text(xml.replace("<test-count>4<", "<test-count>500<"))
    with pytest.raises(PackageError) as caught:
        load_problem("X", folder)
    assert caught.value.errors[0] == "test 5: tests/05 is missing"
    assert len(caught.value.errors) <= 21 and "and 476 more tests are missing" in caught.value.errors[-1]


@pytest.mark.parametrize("relative", [True, False], ids=["dotdot", "absolute"])
def test_a_polygon_statement_language_cannot_lead_outside_the_package(tmp_path: Path, relative: bool) -> None:
    # package.xml names the statement languages; a "language" is a folder name under statements/.
    folder = shutil.copytree(PACKAGES / "divisor", tmp_path / "pkg" / "divisor")
    shutil.rmtree(folder / "statements")
    (folder / "statements").mkdir()
    outside = tmp_path / "pkg" / "outside"  # statements/../../outside
    outside.mkdir()
    (outside / "problem-properties.json").write_text('{"legend": "leaked from the host"}')
    language = "../../outside" if relative else str(outside)
    xml = (folder / "package.xml").read_text()
    (folder / "package.xml").write_text(xml.replace('language="english" mathjax', f'language="{language}" mathjax'))
    problem = load_problem("X", folder)
    assert "leaked" not in problem.statement.body
    assert problem.statement.assets is None or problem.statement.assets.is_relative_to(folder)


def test_yaml_aliases_are_refused_before_they_multiply(tmp_path: Path) -> None:
    # Six levels of nine-fold aliases: half a million values from 300 bytes (nine levels: gigabytes
    # as soon as anything prints or walks them).  No package needs anchors and aliases.
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    levels += [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcde", "bcdef", strict=True)]
    root = tmp_path / "contest"
    shutil.copytree(PACKAGES / "hypotenuse", root / "hyp")
    meta = "id: 7\nname: X\nduration: 60\nproblems:\n  - {alias: A, path: *f}\n"
    (root / "contest.yaml").write_text("\n".join(levels) + "\n" + meta)
    with pytest.raises(PackageError, match=r"contest\.yaml .*aliases"):
        load_contest(root)


@pytest.mark.parametrize(
    ("package", "link"),
    [("summands", "output_validators/sum_check/table.txt"), ("divisor", "files/table.h")],
    ids=["kattis-validator", "polygon-checker"],
)
def test_a_validator_file_linked_outside_the_package_is_refused(tmp_path: Path, package: str, link: str) -> None:
    # The judge copies a validator's whole folder (following links, as root) into the validator's box:
    # a link would hand the problem's validator, and its messages to the teams, any file of the host.
    secret = tmp_path / "host-secret.txt"
    secret.write_text("not for the package\n")
    folder = shutil.copytree(PACKAGES / package, tmp_path / package)
    (folder / link).symlink_to(secret)
    with pytest.raises(PackageError, match=f"{link} links outside the package"):
        load_problem("X", folder)


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"time_limit": 1e9, "memory": 64}, "time limit (1e+09 s) is above"),
        ({"time_limit": 1, "memory": 1e30}, "memory limit (1e+30 MiB) is above"),
        ({"time_limit": 1, "memory": 64, "validation_time": 7200}, "validator time limit (7200 s) is above"),
        ({"time_limit": 1, "memory": 64, "output": 4096}, "output limit (4096 MiB) is above"),
    ],
)
def test_kattis_limits_beyond_what_the_judge_accepts_are_refused(
    tmp_path: Path, limits: dict[str, float], message: str
) -> None:
    write_problem(tmp_path / "p", "Greedy", [("1\n", "1\n")])
    meta = yaml.safe_load((tmp_path / "p" / "problem.yaml").read_text())
    meta["limits"] = limits
    (tmp_path / "p" / "problem.yaml").write_text(yaml.safe_dump(meta))
    with pytest.raises(PackageError, match=re.escape(message)):
        load_problem("A", tmp_path / "p")


def test_polygon_limits_beyond_what_the_judge_accepts_are_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(PACKAGES / "divisor", tmp_path / "divisor")
    xml = (folder / "package.xml").read_text()
    (folder / "package.xml").write_text(xml.replace("<time-limit>1500<", "<time-limit>86400000<"))
    with pytest.raises(PackageError, match=re.escape("time limit (86400 s) is above the 120 s")):
        load_problem("X", folder)
