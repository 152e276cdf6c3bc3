"""A problem's statement: choose the file (English first, then any language) and render it at load.

Markdown (`problem.<lang>.md`) and LaTeX (`problem.<lang>.tex`) are rendered to HTML with MathML
math, HTML (`problem.<lang>.html`, our older `statement.html`) is cleaned and restructured, and a
PDF, when it is all there is, is linked and embedded.  Every result uses Yandex Contest's markup
(markup.py) with the samples appended; a statement that cannot be rendered (pandoc missing, a
LaTeX error) falls back to the next format and, when nothing is left, says so in the statement and
in the log, while the problem still loads.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..files import inside, read_text
from ..models import ASSET_MARKER, Statement
from ..testdata import Sample
from .latex import RenderError, problem_name, render_latex
from .markdown import render_markdown
from .markup import body_html, page_html
from .sanitize import AssetRewriter, sanitize
from .sections import split_sections

__all__ = [
    "Rendered",
    "StatementFile",
    "page_html",
    "pdf_statement",
    "render_html_statement",
    "render_statement",
    "statement_files",
    "unavailable",
]

log = logging.getLogger(__name__)

STATEMENT_FOLDERS = ("statement", "problem_statement")  # 2025-09 and legacy names
FORMATS = ("md", "tex", "html", "pdf")
_NAME = re.compile(r"problem(?:\.([A-Za-z]{2,3}(?:-[A-Za-z]{2})?))?\.(md|tex|html|pdf)")


@dataclass(frozen=True, slots=True)
class StatementFile:
    """One statement file of a package."""

    path: Path
    language: str | None
    format: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered statement and the problem name it gives (a LaTeX `\\problemname`), if any."""

    statement: Statement
    name: str | None = None


def statement_files(root: Path) -> list[StatementFile]:
    """Every statement file of the package at root."""
    found = []
    for folder_name in STATEMENT_FOLDERS:
        folder = root / folder_name
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            match = _NAME.fullmatch(entry.name)
            if match and entry.is_file():
                found.append(StatementFile(entry, match.group(1) or "en", match.group(2)))
    legacy = root / "statement.html"  # the layout of our first contest packages
    if legacy.is_file():
        found.append(StatementFile(legacy, None, "html"))
    return found


def _preferred(files: list[StatementFile]) -> list[StatementFile]:
    """The files of the chosen language (English first, then the first in name order), best format first."""
    languages = [f.language for f in files]
    for wanted in ("en", None):
        if wanted in languages:
            chosen = wanted
            break
    else:
        english = [lang for lang in languages if lang and lang.lower().startswith("en")]
        chosen = english[0] if english else sorted(lang for lang in languages if lang)[0]
    same = [f for f in files if f.language == chosen]
    others = [f for f in files if f.language != chosen and f.format != "pdf"]
    return sorted(same, key=lambda f: FORMATS.index(f.format)) + sorted(others, key=lambda f: FORMATS.index(f.format))


def render_html_statement(
    source: str, assets: Path | None, samples: list[Sample], language: str | None, name: str | None, kind: str
) -> Statement:
    """HTML (from any renderer) cleaned, split into parts and composed in the client's markup."""
    rewriter = AssetRewriter(assets)
    clean = sanitize(source, rewriter)
    body = body_html(split_sections(clean, name), samples, language)
    return Statement(body, language, kind, assets, frozenset(rewriter.files))


def pdf_statement(file: StatementFile) -> Statement:
    name = file.path.name
    url = html.escape(ASSET_MARKER + quote(name))
    body = (
        f'<div class="legend"><p>This statement is a PDF: <a href="{url}">{html.escape(name)}</a>.</p>'
        f'<object data="{url}" type="application/pdf" width="100%" height="900"></object></div>'
    )
    return Statement(body, file.language, "pdf", file.path.parent, frozenset({name}))


def unavailable(reason: str, language: str | None = None) -> Statement:
    """A statement that says why there is none to show."""
    body = f'<div class="legend"><p>The statement could not be rendered: {html.escape(reason)}.</p></div>'
    return Statement(body, language, "none", None, frozenset(), reason)


def render_statement(
    root: Path, samples: list[Sample], name: str | None, substitutions: dict[str, str] | None = None
) -> Rendered:
    """The statement of the Kattis/ICPC package at root (blocking: reads files, may run pandoc)."""
    files = statement_files(root)
    if not files:
        return Rendered(unavailable("the package has no problem statement"))
    reasons = []
    for file in _preferred(files):
        if not inside(file.path, root):  # a package on disk: never show a host file to the teams
            reasons.append(f"{file.path.name}: links outside the package")
            continue
        try:
            if file.format == "pdf":
                return Rendered(pdf_statement(file))
            text = read_text(file.path)
            tex_name = problem_name(text) if file.format == "tex" else None
            if file.format == "md":
                source = render_markdown(text, substitutions)
            elif file.format == "tex":
                source = render_latex(text)
            else:
                source = text
            statement = render_html_statement(
                source, file.path.parent, samples, file.language, name or tex_name, file.format
            )
            return Rendered(statement, tex_name)
        except (RenderError, OSError) as exc:
            log.warning("statement %s not rendered: %s", file.path, exc)
            reasons.append(f"{file.path.name}: {exc}")
    log.error("no statement of %s could be rendered: %s", root.name, "; ".join(reasons))
    return Rendered(unavailable("; ".join(reasons), files[0].language))
