"""Split a rendered statement into the parts Yandex Contest markup names: legend, input, output, interaction, notes.

Statements mark their parts with headings ("Input", "Output", "Notes", in English or Russian, as
`## Input` in Markdown or `\\section*{Input}` in LaTeX) or with the problem class's `Input`/`Output`
environments, which pandoc turns into `<div class="Input">`.  The HTML is sanitized first, so it is
well-formed and its top-level elements can be found with the standard library's parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

PARTS = ("legend", "input", "output", "interaction", "notes")
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
)
_HEADING = re.compile(r"h[1-6]")
# Headings that open a part (matched against the lower-cased heading text without a final colon).
_TITLES = (
    ("input", r"input( format| specification)?|входные данные|формат (ввода|входных данных)|ввод"),
    ("output", r"output( format| specification)?|выходные данные|формат (вывода|выходных данных)|вывод"),
    ("interaction", r"interaction( protocol)?|протокол взаимодействия|взаимодействие"),
    ("notes", r"notes?|hints?|explanations?\b.*|sample explanations?|примечани[ея].*|пояснени[ея].*|замечани[ея].*"),
    ("samples", r"(samples?|examples?)( \d+)?|sample (input|output).*|пример(ы)?( \d+)?"),
)
_PATTERNS = [(part, re.compile(pattern)) for part, pattern in _TITLES]
_ENVIRONMENTS = {"input": "input", "output": "output", "interaction": "interaction"}


@dataclass
class Sections:
    """The statement's parts as HTML, with the heading each had in the source (if any)."""

    parts: dict[str, str] = field(default_factory=lambda: dict.fromkeys(PARTS, ""))
    titles: dict[str, str] = field(default_factory=dict)


@dataclass
class _Block:
    start: int
    end: int
    tag: str | None  # None for top-level text
    classes: tuple[str, ...]
    text: str


class _TopLevel(HTMLParser):
    """Finds the offsets of the top-level elements of a well-formed fragment."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.blocks: list[_Block] = []
        self.depth = 0
        self.current: _Block | None = None

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            classes = tuple(next((v or "" for k, v in attrs if k == "class"), "").split())
            self.current = _Block(self.position(), -1, tag, classes, "")
            if tag in _VOID:
                self.current.end = self.position() + len(self.get_starttag_text() or "")
                self.blocks.append(self.current)
                self.current = None
                return
        if tag not in _VOID:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            start = self.position()
            self.blocks.append(_Block(start, start + len(self.get_starttag_text() or ""), tag, (), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        self.depth -= 1
        if self.depth == 0 and self.current is not None:
            end = self.source.index(">", self.position()) + 1
            self.current.end = end
            self.blocks.append(self.current)
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.text += data

    def all_blocks(self) -> list[_Block]:
        """The elements, with the non-blank top-level text between them as blocks of their own."""
        out: list[_Block] = []
        previous = 0
        for block in [*self.blocks, _Block(len(self.source), len(self.source), None, (), "")]:
            gap = self.source[previous : block.start]
            if gap.strip():
                out.append(_Block(previous, block.start, None, (), gap))
            if block.end > block.start:
                out.append(block)
            previous = block.end
        return out


def _normal(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().rstrip(":.").strip().lower()


def _inner(html: str) -> str:
    return html[html.index(">") + 1 : html.rindex("<")]


def split_sections(html: str, name: str | None = None) -> Sections:
    """The parts of a sanitized statement body; unmarked text is legend, a source "Examples" part is dropped."""
    parser = _TopLevel(html)
    parser.feed(html)
    parser.close()
    sections = Sections()
    part = "legend"
    for index, block in enumerate(parser.all_blocks()):
        chunk = html[block.start : block.end]
        if block.tag is not None and _HEADING.fullmatch(block.tag):
            title = _normal(block.text)
            matched = next((p for p, pattern in _PATTERNS if pattern.fullmatch(title)), None)
            if matched is not None:
                part = matched
                sections.titles.setdefault(part, block.text.strip().rstrip(":"))
                continue
            if index == 0 and name is not None and title == _normal(name):
                continue  # the problem's own title: the header shows it
        elif block.tag == "div":
            environment = next((_ENVIRONMENTS[c.lower()] for c in block.classes if c.lower() in _ENVIRONMENTS), None)
            if environment is not None:
                sections.parts[environment] += _inner(chunk)
                part = "notes"  # text after the environments explains the samples
                continue
        if part != "samples":  # the judge shows data/sample itself
            sections.parts[part] += chunk
    return sections
