"""Markdown statements: CommonMark (markdown-it-py) with tables, footnotes and `$`/`$$` math as MathML.

Math becomes MathML on the server (latex2mathml): the web client injects the statement into its
page without running scripts, so a client-side renderer (KaTeX, MathJax) would never run there,
while Chromium and Firefox draw MathML natively.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

log = logging.getLogger(__name__)


def tex_to_mathml(tex: str, display: bool) -> str:
    """One formula as MathML; its TeX source in <code> when the converter cannot read it."""
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many kinds on malformed TeX
        log.warning("formula %r not converted to MathML: %s", tex[:80], exc)
        return f'<code class="tex">{html.escape(tex)}</code>'


def _math(content: str, options: dict[str, Any]) -> str:
    return tex_to_mathml(content, bool(options.get("display_mode")))


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True, renderer=_math)
    md.use(footnote_plugin)
    # `$$x$$` inside a paragraph: a display formula, but in a <span> (the plugin's <div> cannot sit in a <p>).
    md.add_render_rule("math_inline_double", _inline_display)
    return md


def _inline_display(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return f'<span class="math display">{tex_to_mathml(tokens[idx].content, True)}</span>'


def render_markdown(text: str, substitutions: dict[str, str] | None = None) -> str:
    """A Markdown statement as HTML (not yet sanitized); `{{name}}` constants are replaced first."""
    for key, value in (substitutions or {}).items():
        text = text.replace("{{" + key + "}}", value)
    # The judge appends every sample itself (see markup.py), so the placeholders only vanish.
    text = text.replace("{{nextsample}}", "").replace("{{remainingsamples}}", "")
    return _parser().render(text)
