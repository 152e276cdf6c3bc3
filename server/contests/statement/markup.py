"""Compose statements in Yandex Contest's markup, the one the web client's stylesheet is written for.

    <div class="problem-statement">
      <div class="header"><h1 class="title">A. Name</h1><table> time-limit, memory-limit, input-file, output-file rows
        with <td class="property-title"> </table></div>
      <div class="legend">…</div>
      <h2>Input format</h2><div class="input-specification">…</div>
      <h2>Output format</h2><div class="output-specification">…</div>
      <h3>Example 1</h3><table class="sample-tests"><thead><tr><th>Input</th><th>Output</th></tr></thead>
        <tbody><tr><td><pre>…</pre></td><td><pre>…</pre></td></tr></tbody></table>
      <h2>Notes</h2><div class="notes">…</div>
    </div>

The client styles `.legend`, `.input-specification`, `.output-specification` and `.notes` alike,
and `table.sample-tests` as two half-width columns; an interaction protocol (no class of its own
there) is drawn as a legend part, and an interaction log as the same two-column table.
"""

from __future__ import annotations

from html import escape

from ..testdata import Sample
from .sections import Sections

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "time": "Time limit",
        "memory": "Memory limit",
        "input_file": "Input",
        "output_file": "Output",
        "stdin": "standard input",
        "stdout": "standard output",
        "input": "Input format",
        "output": "Output format",
        "interaction": "Interaction",
        "notes": "Notes",
        "example": "Example",
        "in": "Input",
        "out": "Output",
        "second": "second",
        "seconds": "seconds",
    },
    "ru": {
        "time": "Ограничение времени",
        "memory": "Ограничение памяти",
        "input_file": "Ввод",
        "output_file": "Вывод",
        "stdin": "стандартный ввод",
        "stdout": "стандартный вывод",
        "input": "Формат ввода",
        "output": "Формат вывода",
        "interaction": "Протокол взаимодействия",
        "notes": "Примечания",
        "example": "Пример",
        "in": "Ввод",
        "out": "Вывод",
        "second": "секунда",
        "seconds": "секунды",
    },
}
_PART_CLASSES = (
    ("input", "input-specification"),
    ("output", "output-specification"),
    ("interaction", "legend interaction"),
)


def labels(language: str | None) -> dict[str, str]:
    """The header and section words for a statement language (English unless Russian)."""
    base = (language or "en").split("-")[0].lower()
    return LABELS.get(base, LABELS["en"])


def _pre(text: str) -> str:
    return f"<pre>{escape(text)}</pre>"


def _interaction_rows(log: str) -> list[tuple[str, str]]:
    # "<" lines go to the submission (its input), ">" lines come from it (its output).
    rows: list[tuple[str, str]] = []
    side, lines = "", list[str]()
    for line in log.splitlines():
        direction, text = (line[:1], line[1:].removeprefix(" ")) if line[:1] in ("<", ">") else ("<", line)
        if direction != side and lines:
            rows.append(("\n".join(lines) + "\n", "") if side == "<" else ("", "\n".join(lines) + "\n"))
            lines = []
        side = direction
        lines.append(text)
    if lines:
        rows.append(("\n".join(lines) + "\n", "") if side == "<" else ("", "\n".join(lines) + "\n"))
    return rows


def samples_html(samples: list[Sample], words: dict[str, str]) -> str:
    """Every sample as a `table.sample-tests`, numbered when there are several."""
    out = []
    for number, sample in enumerate(samples, start=1):
        title = words["example"] if len(samples) == 1 else f"{words['example']} {number}"
        if sample.interaction is not None:
            rows = _interaction_rows(sample.interaction)
        else:
            rows = [(sample.input or "", sample.output or "")]
        body = "".join(f"<tr><td>{_pre(a) if a else ''}</td><td>{_pre(b) if b else ''}</td></tr>" for a, b in rows)
        out.append(
            f"<h3>{escape(title)}</h3>"
            f'<table class="sample-tests"><thead><tr><th>{words["in"]}</th><th>{words["out"]}</th></tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
    return "\n".join(out)


def body_html(sections: Sections, samples: list[Sample], language: str | None) -> str:
    """Legend, input, output, interaction, samples and notes in the client's markup."""
    words = labels(language)
    parts = sections.parts
    out = []
    if parts["legend"].strip():
        out.append(f'<div class="legend">{parts["legend"]}</div>')
    for part, css in _PART_CLASSES:
        if parts[part].strip():
            title = sections.titles.get(part) or words[part]
            out.append(f'<h2>{escape(title)}</h2>\n<div class="{css}">{parts[part]}</div>')
    if samples:
        out.append(samples_html(samples, words))
    if parts["notes"].strip():
        title = sections.titles.get("notes") or words["notes"]
        out.append(f'<h2>{escape(title)}</h2>\n<div class="notes">{parts["notes"]}</div>')
    return "\n".join(out)


def _seconds(value: float, words: dict[str, str]) -> str:
    shown = f"{value:g}"
    return f"{shown}\u00a0{words['second'] if value == 1 else words['seconds']}"


def _mebibytes(value: int) -> str:
    return f"{value / (1 << 20):g}\u00a0MiB"


def page_html(alias: str, name: str, time_limit: float, memory_limit: int, body: str, language: str | None) -> bytes:
    """The whole statement: the header with the name and limits around the body."""
    words = labels(language)
    rows = (
        ("time-limit", words["time"], _seconds(time_limit, words)),
        ("memory-limit", words["memory"], _mebibytes(memory_limit)),
        ("input-file", words["input_file"], words["stdin"]),
        ("output-file", words["output_file"], words["stdout"]),
    )
    table = "".join(
        f'<tr class="{css}"><td class="property-title">{escape(title)}</td><td>{escape(value)}</td></tr>'
        for css, title, value in rows
    )
    lang = f' lang="{escape(language)}"' if language else ""
    return (
        f'<div class="problem-statement"{lang}>\n'
        f'<div class="header"><h1 class="title">{escape(alias)}. {escape(name)}</h1><table>{table}</table></div>\n'
        f"{body}\n</div>\n"
    ).encode()
