"""LaTeX statements through pandoc (the Debian package): HTML with MathML math, at load time.

The problem package class's commands (`\\problemname`, `\\illustration`, the `Input`/`Output`/
`Interaction` environments, `\\nextsample`) are defined in a small preamble so pandoc can read the
statement body; pandoc runs with `--sandbox`, so `\\input{/etc/passwd}` reads nothing, and with a
heap cap (`+RTS -M`, as pandoc's manual advises for untrusted input), so a macro that expands
without end fails in seconds instead of taking the server's memory.  Without pandoc the problem
still loads and its statement says why it is missing (see statement/__init__.py).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess

log = logging.getLogger(__name__)

PANDOC_TIMEOUT = 30.0  # seconds; pandoc needs milliseconds for a statement
PANDOC_HEAP_MIB = 256  # a long statement needs tens of MiB
PANDOC_OPTIONS = ("--sandbox", "--from=latex", "--to=html", "--mathml", "--wrap=none")
PREAMBLE = r"""
\newcommand{\problemname}[1]{}
\newcommand{\illustration}[3]{\begin{figure}\includegraphics[width=#1\textwidth]{#2}\caption{#3}\end{figure}}
\newcommand{\nextsample}{}
\newcommand{\remainingsamples}{}
\newcommand{\constant}[1]{#1}
\newcommand{\exmp}[2]{}
\newcommand{\exmpfile}[2]{}
"""
_PROBLEMNAME = re.compile(r"\\problemname\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
_PLAIN_NAME = re.compile(r"^%%\s*plainproblemname:\s*(.+?)\s*$", re.MULTILINE)


class RenderError(Exception):
    """A statement could not be rendered; the message says why (a missing tool, a parse error)."""


def pandoc_path() -> str | None:
    """Where pandoc is, if installed."""
    return shutil.which("pandoc")


def problem_name(tex: str) -> str | None:
    """The plain problem name a LaTeX statement gives (`%% plainproblemname:` or `\\problemname{...}`)."""
    plain = _PLAIN_NAME.search(tex)
    if plain:
        return plain.group(1)
    found = _PROBLEMNAME.search(tex)
    if not found:
        return None
    text = re.sub(r"\\[a-zA-Z]+\s*|[{}$]", "", found.group(1))
    return re.sub(r"\s+", " ", text).strip() or None


def render_latex(tex: str) -> str:
    """A LaTeX statement body as HTML (not yet sanitized); RenderError when pandoc is missing or fails."""
    pandoc = pandoc_path()
    if pandoc is None:
        raise RenderError("pandoc is not installed (apt-get install pandoc)")
    try:
        done = subprocess.run(
            [pandoc, "+RTS", f"-M{PANDOC_HEAP_MIB}m", "-RTS", *PANDOC_OPTIONS],
            input=(PREAMBLE + tex).encode(),
            capture_output=True,
            timeout=PANDOC_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"pandoc took longer than {PANDOC_TIMEOUT:g} s") from None
    except OSError as exc:
        raise RenderError(f"pandoc could not run: {exc}") from None
    if done.returncode != 0 and b"Heap exhausted" in done.stderr:
        raise RenderError(f"pandoc needed more than {PANDOC_HEAP_MIB} MiB of memory (a macro that never ends?)")
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        raise RenderError(f"pandoc could not read the LaTeX: {' '.join(detail[-3:])[:300]}")
    return done.stdout.decode(errors="replace")
