"""Statements rendered at load: Markdown and LaTeX with MathML, HTML cleaned, PDF linked, all in Yandex markup."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.contests.loader import load_problem
from server.contests.models import ASSET_MARKER
from server.contests.statement import latex, render_statement
from server.contests.statement.latex import RenderError, pandoc_path, problem_name, render_latex
from server.contests.statement.markup import body_html
from server.contests.statement.sanitize import AssetRewriter, sanitize
from server.contests.statement.sections import split_sections
from server.contests.testdata import Sample, load_samples

PACKAGES = Path(__file__).parent / "packages"
needs_pandoc = pytest.mark.skipif(pandoc_path() is None, reason="pandoc is not installed (make test installs it)")


def parts(html: str) -> list[str]:
    """The Yandex markup classes of the top-level parts, in order."""
    known = ("legend", "input-specification", "output-specification", "legend interaction", "notes", "sample-tests")
    return [c for c in re.findall(r'<(?:div|table) class="([^"]+)"', html) if c in known]


def test_markdown_statement_with_math_and_image() -> None:
    root = PACKAGES / "hypotenuse"
    statement = render_statement(root, load_samples(root, False), "Hypotenuse").statement
    assert statement.source == "md" and statement.language == "en"
    body = statement.body
    assert parts(body) == ["legend", "input-specification", "output-specification", "sample-tests"]
    assert body.count("<math") >= 5 and "<msqrt>" in body and "$" not in body
    assert f'<img src="{ASSET_MARKER}triangle.png" alt="A right triangle">' in body
    assert statement.files == frozenset({"triangle.png"}) and statement.assets == root / "problem_statement"
    assert "<pre>3 4\n</pre>" in body and "<pre>5.0\n</pre>" in body


@needs_pandoc
def test_latex_statement_with_math_image_and_interaction() -> None:
    root = PACKAGES / "guess"
    rendered = render_statement(root, load_samples(root, True), None)
    statement = rendered.statement
    assert rendered.name == "Guess the Number"
    assert statement.source == "tex"
    assert parts(statement.body) == ["legend", "legend interaction", "sample-tests", "notes"]
    assert "<h2>Interaction</h2>" in statement.body and "<h2>Notes</h2>" in statement.body
    assert statement.body.count("<math") >= 4 and "⌈" in statement.body  # \lceil drawn as MathML
    assert f'src="{ASSET_MARKER}search.png"' in statement.body
    assert statement.files == frozenset({"search.png"})
    # the interaction log: what the program reads on the left, what it prints on the right
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", statement.body, flags=re.DOTALL)
    assert rows[:2] == [("<pre>10\n</pre>", ""), ("", "<pre>5\n</pre>")] and len(rows) == 7


@needs_pandoc
def test_a_latex_macro_bomb_is_stopped_by_the_memory_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    # Seven levels of ten-fold macros: 10^7 characters, which pandoc builds for minutes in hundreds of
    # MiB on the server itself (one level more: gigabytes).  Its heap is capped (small here, to be
    # quick), and the error says so.
    macros = [r"\newcommand{\za}{xxxxxxxxxx}"]
    macros += [rf"\newcommand{{\z{b}}}{{{(chr(92) + 'z' + a) * 10}}}" for a, b in zip("abcdef", "bcdefg", strict=True)]
    monkeypatch.setattr(latex, "PANDOC_HEAP_MIB", 64, raising=False)
    monkeypatch.setattr(latex, "PANDOC_TIMEOUT", 15.0)
    with pytest.raises(RenderError, match="more than 64 MiB of memory"):
        render_latex("\n".join(macros) + "\n\\zg\n")


def test_latex_without_pandoc_still_loads_and_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pandoc on it
    root = PACKAGES / "guess"
    with caplog.at_level(logging.WARNING):
        statement = render_statement(root, [], None).statement
    assert statement.source == "none"
    assert "pandoc is not installed" in (statement.problem or "")
    assert "could not be rendered" in statement.body and "pandoc is not installed" in statement.body
    assert "pandoc is not installed" in caplog.text and "problem.en.tex" in caplog.text


def test_latex_falls_back_to_another_format(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    root = shutil.copytree(PACKAGES / "guess", tmp_path / "guess")
    # with only .tex and .pdf, the PDF stands in for the LaTeX that cannot be rendered
    pdf = PACKAGES / "pdfonly" / "problem_statement" / "problem.pdf"
    shutil.copy(pdf, root / "problem_statement" / "problem.en.pdf")
    statement = render_statement(root, [], None).statement
    assert statement.source == "pdf" and statement.files == frozenset({"problem.en.pdf"})


def test_pdf_only_statement_embeds_the_pdf() -> None:
    statement = render_statement(PACKAGES / "pdfonly", [], "PDF Only").statement
    assert statement.source == "pdf"
    assert f'<object data="{ASSET_MARKER}problem.pdf" type="application/pdf"' in statement.body
    assert statement.files == frozenset({"problem.pdf"})


def test_language_choice_english_first_then_any(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "statement").mkdir(parents=True)
    (root / "statement" / "problem.ru.md").write_text("Текст.\n\n## Формат ввода\n\nЧисло.\n")
    (root / "statement" / "problem.de.md").write_text("Text.\n")
    statement = render_statement(root, [Sample("1", "1\n", "2\n")], "X").statement
    assert statement.language == "de"  # no English: the first language by name
    (root / "statement" / "problem.de.md").unlink()
    statement = render_statement(root, [Sample("1", "1\n", "2\n")], "X").statement
    assert statement.language == "ru"
    assert "<h2>Формат ввода</h2>" in statement.body and "<th>Ввод</th><th>Вывод</th>" in statement.body
    (root / "statement" / "problem.en.md").write_text("Text.\n")
    assert render_statement(root, [], "X").statement.language == "en"


def test_sanitizer_removes_scripts_and_foreign_references(tmp_path: Path) -> None:
    (tmp_path / "pic.png").write_bytes(b"\x89PNG")
    (tmp_path / "problem.yaml").write_text("name: x\n")
    rewriter = AssetRewriter(tmp_path)
    dirty = (
        '<p onclick="x()">a<script>alert(1)</script></p><img src="pic.png" onerror="alert(2)">'
        '<img src="http://evil.example/x.png"><img src="../problem.yaml"><img src="problem.yaml">'
        '<a href="javascript:alert(3)">j</a><a href="https://icpc.global">ok</a><iframe src="x"></iframe>'
        '<img src="pic.png" style="position:fixed;width:10px"><math><mi>x</mi></math>'
    )
    clean = sanitize(dirty, rewriter)
    assert "script" not in clean and "onerror" not in clean and "onclick" not in clean and "iframe" not in clean
    assert "javascript" not in clean and "evil" not in clean and "problem.yaml" not in clean
    assert f'<img src="{ASSET_MARKER}pic.png">' in clean and 'href="https://icpc.global"' in clean
    assert 'style="width:10px"' in clean and "position" not in clean
    assert "<math><mi>x</mi></math>" in clean
    assert rewriter.files == {"pic.png"}


def test_images_without_extension_and_in_subfolders(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.jpg").write_bytes(b"x")
    rewriter = AssetRewriter(tmp_path)
    assert rewriter.resolve("img/a") == "img/a.jpg" and rewriter.resolve("img/a.jpg") == "img/a.jpg"
    assert rewriter.resolve("/etc/passwd") is None and rewriter.resolve("img/../../x.png") is None
    assert rewriter.resolve("data:image/png;base64,AAAA") is None


def test_sections_by_heading_and_environment() -> None:
    html = (
        "<h1>Title</h1><p>story</p><h2>Input format:</h2><p>in</p><h2>Output</h2><p>out</p>"
        "<h2>Examples</h2><pre>1</pre><h3>Explanation of sample 1</h3><p>why</p>"
    )
    sections = split_sections(html, "Title")
    assert sections.parts["legend"] == "<p>story</p>"
    assert sections.parts["input"] == "<p>in</p>" and sections.parts["output"] == "<p>out</p>"
    assert sections.parts["notes"] == "<p>why</p>"  # the source's own examples are dropped
    assert sections.titles["input"] == "Input format"
    env = split_sections('<p>s</p><div class="Input"><p>i</p></div><div class="Output"><p>o</p></div><p>n</p>')
    expected = {"legend": "<p>s</p>", "input": "<p>i</p>", "output": "<p>o</p>", "interaction": "", "notes": "<p>n</p>"}
    assert env.parts == expected


def test_samples_table_numbering_and_escaping() -> None:
    body = body_html(split_sections("<p>x</p>"), [Sample("1", "<a>&\n", "1\n"), Sample("2", "2\n", "2\n")], "en")
    assert "<h3>Example 1</h3>" in body and "<h3>Example 2</h3>" in body
    assert "<pre>&lt;a&gt;&amp;\n</pre>" in body
    assert body.count('<table class="sample-tests"><thead><tr><th>Input</th><th>Output</th></tr></thead>') == 2


def test_problem_name_from_latex() -> None:
    assert problem_name(r"\problemname{Hello $x^2$ World}") == "Hello x^2 World"
    assert problem_name("%% plainproblemname: Plain Name\n\\problemname{$\\mathbb{P}$}") == "Plain Name"
    assert problem_name("no name") is None


_FRAGMENTS = st.sampled_from(
    [
        "<script>x()</script>",
        '<img src="a.png" onerror="x()">',
        '<a href="javascript:x()">',
        "<p>",
        "</p>",
        "<svg onload=x()>",
        "<math><mi>x</mi>",
        "</math>",
        '<iframe src="//e">',
        "<style>*{}</style>",
        "text",
        '<div class="Input">',
        "</div>",
        "<h2>Input</h2>",
        "<!--",
        "-->",
        "<",
        ">",
        '"',
        "&lt;",
        "<object data=x>",
    ]
)


@given(st.lists(_FRAGMENTS, max_size=30))
def test_nothing_that_runs_survives_the_sanitizer(fragments: list[str]) -> None:
    clean = sanitize("".join(fragments), AssetRewriter(None))
    for tag in re.findall(r"<[a-zA-Z][^>]*>", clean):  # real tags: text keeps "<" escaped as &lt;
        name = re.match(r"<([a-zA-Z0-9-]+)", tag).group(1).lower()  # type: ignore[union-attr]
        assert name not in ("script", "iframe", "style", "svg", "object", "embed"), tag
        assert not re.search(r"\son\w+\s*=", tag) and "javascript:" not in tag.lower() and "src=" not in tag, tag
    body = body_html(split_sections(clean), [], "en")  # and it always splits and composes
    assert "<script" not in body.lower()


@pytest.mark.parametrize(
    ("package", "link"),
    [
        ("greeting", "statement/problem.en.md"),
        ("pdfonly", "problem_statement/problem.pdf"),
        ("divisor", "statements/english/problem-properties.json"),
    ],
    ids=["markdown", "pdf", "polygon-parts"],
)
def test_a_statement_linked_outside_the_package_is_not_shown(tmp_path: Path, package: str, link: str) -> None:
    # A package on disk (uploads refuse links): the statement would show a host file to every team.
    secret = tmp_path / "host-secret.txt"
    secret.write_text('{"legend": "host secret"}\n')
    folder = shutil.copytree(PACKAGES / package, tmp_path / package)
    (folder / link).unlink()
    (folder / link).symlink_to(secret)
    statement = load_problem("X", folder).statement
    assert "host secret" not in statement.body
    assert statement.source != "pdf"
    if statement.source == "none":  # no other statement to show instead: it says why
        assert "links outside the package" in (statement.problem or "")
