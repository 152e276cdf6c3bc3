"""Import a Polygon package (package.xml) into the same model as Kattis/ICPC problems.

From package.xml: the name, the first testset's time and memory limits and its tests (files named
by `input-path-pattern`/`answer-path-pattern`, samples marked `sample="true"`), and the checker
(a testlib program, judged as a validator of kind "testlib").  A test the package does not ship
(generated ones, in a "standard" package) cannot be made here: such a package is refused with the
tests it lacks.  The statement comes from `statements/<language>/problem-properties.json` or
`statement-sections/<language>/*.tex` (LaTeX parts, rendered with pandoc), else Polygon's own HTML,
else its PDF.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..judge.types import TestCase, ValidatorSource
from .errors import Errors, PackageError
from .files import inside, links_outside, read_text
from .kattis import page_of
from .models import Problem, Statement
from .statement import StatementFile, pdf_statement, render_html_statement, unavailable
from .statement.latex import RenderError, render_latex
from .statement.markup import body_html
from .statement.sanitize import AssetRewriter, sanitize
from .statement.sections import Sections
from .testdata import Sample

log = logging.getLogger(__name__)

MAX_XML_BYTES = 4 * 1024 * 1024
# Real testsets have tens to hundreds of tests; a count far beyond would only cost the server time and memory.
MAX_TESTS = 10_000
MAX_LISTED = 20  # missing tests named one by one; the rest are counted
# A statement language is a folder name under statements/ ("english"), never a path.
_LANGUAGE_NAME = re.compile(r"[A-Za-z0-9_-]+")
LANGUAGES = {"english": "en", "russian": "ru", "ukrainian": "uk", "kazakh": "kk", "belarusian": "be",
             "spanish": "es", "portuguese": "pt", "french": "fr", "german": "de", "chinese": "zh",
             "polish": "pl", "romanian": "ro", "vietnamese": "vi", "arabic": "ar", "japanese": "ja"}  # fmt: skip
# Polygon's standard checkers, used as the default validator when the package omits their source.
STANDARD_CHECKERS = {
    "std::wcmp.cpp": ("case_sensitive",),
    "std::lcmp.cpp": ("case_sensitive",),
    "std::ncmp.cpp": ("case_sensitive",),
    "std::fcmp.cpp": ("case_sensitive", "space_change_sensitive"),
    "std::yesno.cpp": (),
    "std::nyesno.cpp": (),
    "std::rcmp4.cpp": ("float_tolerance", "1e-4"),
    "std::rcmp6.cpp": ("float_tolerance", "1e-6"),
    "std::rcmp9.cpp": ("float_tolerance", "1e-9"),
}
PARTS = {"legend": "legend", "input": "input", "output": "output", "interaction": "interaction", "notes": "notes"}


def is_polygon(folder: Path) -> bool:
    """Whether the folder is a Polygon package (package.xml and no problem.yaml)."""
    return (folder / "package.xml").is_file() and not (folder / "problem.yaml").is_file()


def _xml(folder: Path) -> ET.Element:
    path = folder / "package.xml"
    data = path.read_bytes()
    if len(data) > MAX_XML_BYTES:
        raise PackageError("package.xml is too large")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise PackageError("package.xml must not declare a DOCTYPE or entities")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise PackageError(f"package.xml is not valid XML: {exc}") from None


def _language(polygon: str | None) -> str | None:
    if not polygon:
        return None
    return LANGUAGES.get(polygon.lower(), polygon[:2].lower())


def _names(root: ET.Element) -> dict[str, str]:
    return {
        n.get("language", ""): n.get("value", "").strip()
        for n in root.iterfind("names/name")
        if n.get("value", "").strip()
    }


def _int(element: ET.Element | None, what: str) -> int:
    try:
        value = int((element.text or "").strip()) if element is not None else 0
    except ValueError:
        value = 0
    if value <= 0:
        raise PackageError(f"package.xml: {what} must be a positive integer")
    return value


def _tests(folder: Path, testset: ET.Element) -> tuple[list[TestCase], list[int]]:
    count = _int(testset.find("test-count"), "test-count")
    if count > MAX_TESTS:
        raise PackageError(f"package.xml: test-count {count} is more than {MAX_TESTS}")
    in_pattern = (testset.findtext("input-path-pattern") or "tests/%02d").strip()
    ans_pattern = (testset.findtext("answer-path-pattern") or "tests/%02d.a").strip()
    described = testset.findall("tests/test")
    errors = Errors()
    missing_generated: list[str] = []
    missing = 0
    tests: list[TestCase] = []
    samples: list[int] = []
    for index in range(1, count + 1):
        info = described[index - 1] if index <= len(described) else ET.Element("test")
        # Messages name the files as package.xml does: a pattern may be absolute, outside `folder`.
        try:
            in_name, ans_name = in_pattern % index, ans_pattern % index
        except (TypeError, ValueError):
            raise PackageError("package.xml: bad input-path-pattern or answer-path-pattern") from None
        inp, ans = folder / in_name, folder / ans_name
        for name, path in ((in_name, inp), (ans_name, ans)):
            if path.exists() and not inside(path, folder):
                errors.add(f"{name} links outside the package")
        if not inp.is_file():
            if info.get("method") == "generated":
                command = info.get("cmd", "")
                missing_generated.append(f"{index} ({command})" if command else str(index))
            else:
                missing += 1
                if missing <= MAX_LISTED:
                    errors.add(f"test {index}: {in_name} is missing")
            continue
        if not ans.is_file():
            errors.add(f"test {index}: answer {ans_name} is missing (run the main solution in Polygon)")
            continue
        sample = info.get("sample") == "true"
        if sample:
            samples.append(len(tests))
        tests.append(TestCase(f"{'sample' if sample else 'secret'}/{index:02d}", inp, ans))
    if missing > MAX_LISTED:
        errors.add(f"and {missing - MAX_LISTED} more tests are missing")
    if missing_generated:
        more = f" and {len(missing_generated) - MAX_LISTED} more" if len(missing_generated) > MAX_LISTED else ""
        errors.add(
            f"tests {', '.join(missing_generated[:MAX_LISTED])}{more} are made by generators this server does not run; "
            "export the full package from Polygon (with generated tests) instead"
        )
    errors.raise_if_any()
    if not tests:
        raise PackageError("package.xml: the testset has no tests")
    return tests, samples


def _checker(folder: Path, root: ET.Element) -> tuple[ValidatorSource | None, tuple[str, ...]]:
    if root.find("assets/interactor") is not None:
        raise PackageError("Polygon interactive problems (with an interactor) are not supported yet")
    checker = root.find("assets/checker")
    if checker is None:
        return None, ()
    source = checker.find("source")
    name = source.get("path", "") if source is not None else ""
    path = folder / name if name else None
    if path is None or not path.is_file():
        standard = STANDARD_CHECKERS.get(checker.get("name", ""))
        if standard is not None:
            return None, standard
        raise PackageError("package.xml: the checker's source is not in the package")
    if not inside(path, folder):
        raise PackageError(f"{name} links outside the package")
    kind = (source.get("type") or "cpp") if source is not None else "cpp"
    if not kind.startswith("cpp"):
        raise PackageError(f"checker {path.name}: only C++ (testlib) checkers are supported, not {kind}")
    if not (path.parent / "testlib.h").is_file():
        raise PackageError(f"checker {path.name} needs testlib.h next to it, and the package has none there")
    outside = links_outside(path.parent, folder)  # the judge copies the checker's whole folder
    if outside:
        raise PackageError(*outside)
    return ValidatorSource(path.parent, "testlib", "gcc_cpp20", path.name), ()


def _samples(tests: list[TestCase], indexes: list[int]) -> list[Sample]:
    return [
        Sample(tests[i].name.split("/")[-1], read_text(tests[i].input_path), read_text(tests[i].answer_path))
        for i in indexes
    ]


def _section_sources(folder: Path, polygon_language: str) -> dict[str, str] | None:
    properties = folder / "statements" / polygon_language / "problem-properties.json"
    sections = folder / "statement-sections" / polygon_language
    parts = [properties, *(sections / f"{k}.tex" for k in PARTS)]
    outside = [p.name for p in parts if p.exists() and not inside(p, folder)]
    if outside:  # a package on disk: never show a host file to the teams
        raise RenderError(f"{', '.join(outside)} links outside the package")
    if properties.is_file():
        try:
            data: Any = json.loads(properties.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RenderError(f"{properties.name} is not valid JSON: {exc}") from None
        if isinstance(data, dict):
            return {k: data[k] for k in PARTS if isinstance(data.get(k), str)}
    if sections.is_dir():
        return {k: read_text(sections / f"{k}.tex") for k in PARTS if (sections / f"{k}.tex").is_file()}
    return None


def _statement(folder: Path, root: ET.Element, samples: list[Sample]) -> tuple[Statement, str | None]:
    declared = [s.get("language", "") for s in root.iterfind("statements/statement")]
    statements = folder / "statements"
    on_disk = [p.name for p in statements.iterdir() if p.is_dir()] if statements.is_dir() else []
    on_disk = [name for name in on_disk if not name.startswith(".")]
    languages = [lang for lang in dict.fromkeys([*declared, *on_disk]) if _LANGUAGE_NAME.fullmatch(lang)]
    languages.sort(key=lambda lang: (lang != "english", lang))
    reasons = []
    for polygon_language in languages:
        language = _language(polygon_language)
        try:
            parts = _section_sources(folder, polygon_language)
            if parts:
                rewriter = AssetRewriter(folder / "statements" / polygon_language)
                sections = Sections()
                for key, tex in parts.items():
                    sections.parts[PARTS[key]] = sanitize(render_latex(tex), rewriter)
                body = body_html(sections, samples, language)
                assets = folder / "statements" / polygon_language
                return Statement(body, language, "polygon", assets, frozenset(rewriter.files)), polygon_language
        except (RenderError, OSError) as exc:
            reasons.append(str(exc))
            log.warning("Polygon statement %s/%s not rendered: %s", folder.name, polygon_language, exc)
        html_file = folder / "statements" / ".html" / polygon_language / "problem.html"
        pdf = folder / "statements" / ".pdf" / polygon_language / "problem.pdf"
        if any(p.exists() and not inside(p, folder) for p in (html_file, pdf)):
            reasons.append(f"{polygon_language}: problem.html or problem.pdf links outside the package")
            continue
        if html_file.is_file():
            statement = render_html_statement(read_text(html_file), html_file.parent, samples, language, None, "html")
            return statement, polygon_language
        if pdf.is_file():
            return pdf_statement(StatementFile(pdf, language, "pdf")), polygon_language
    return unavailable("; ".join(reasons) or "the package has no statement"), None


def load_polygon_problem(alias: str, folder: Path) -> Problem:
    """Read the Polygon package in folder as problem `alias` (blocking); PackageError lists every fault."""
    root = _xml(folder)
    testset = root.find("judging/testset")
    if testset is None:
        raise PackageError("package.xml: no judging/testset")
    errors = Errors()
    time_limit, memory = 1.0, 256 << 20
    try:
        time_limit = _int(testset.find("time-limit"), "time-limit") / 1000
        memory = _int(testset.find("memory-limit"), "memory-limit")
    except PackageError as exc:
        errors.extend(exc)
    tests: list[TestCase] = []
    sample_indexes: list[int] = []
    try:
        tests, sample_indexes = _tests(folder, testset)
    except PackageError as exc:
        errors.extend(exc)
    validator, flags = None, ()
    try:
        validator, flags = _checker(folder, root)
    except PackageError as exc:
        errors.extend(exc)
    errors.raise_if_any()
    if flags:
        tests = [dataclasses.replace(t, validator_flags=flags) for t in tests]
    statement, polygon_language = _statement(folder, root, _samples(tests, sample_indexes))
    names = _names(root)
    name = names.get(polygon_language or "english") or names.get("english") or next(iter(names.values()), None)
    problem = Problem(
        alias=alias,
        name=name or root.get("short-name") or folder.name,
        folder=folder,
        time_limit=time_limit,
        memory_limit=memory,
        statement=statement,
        statement_html=b"",
        tests=tuple(tests),
        validation="custom" if validator is not None else "default",
        validator=validator,
        time_limit_source="polygon",
        package_format="polygon",
    )
    return dataclasses.replace(problem, statement_html=page_of(problem))
