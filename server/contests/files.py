"""Small readers shared by the package loaders: YAML mappings, numbers and paths kept inside a package."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from .errors import PackageError

# Text files a package may use for display (samples, statements) are shown up to this size.
MAX_TEXT_BYTES = 4 * 1024 * 1024


class _NoAliases(yaml.SafeLoader):
    """YAML without aliases: `*name` repeats a value by reference, so a few hundred bytes of nested
    aliases stand for billions of values that any code printing or walking them would build."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted in a package", mark)
        return super().compose_node(parent, index)


def read_yaml(path: Path, root: Path | None = None, *, required: bool = True) -> dict[str, Any]:
    """A YAML mapping (empty when the file is absent and not required); PackageError names the file."""
    name = str(path.relative_to(root)) if root is not None and path.is_relative_to(root) else path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise PackageError(f"{name} is missing") from None
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageError(f"{name} cannot be read: {exc}") from None
    try:
        data = yaml.load(text, Loader=_NoAliases)  # a SafeLoader, minus aliases
    except yaml.YAMLError as exc:
        raise PackageError(f"{name} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PackageError(f"{name} must be a mapping")
    return data


def positive(value: Any, what: str) -> float:
    """A finite number above zero (YAML ints and floats, not booleans)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise PackageError(f"{what} must be a positive number, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise PackageError(f"{what} must be a positive number")
    return float(value)


def inside(path: Path, root: Path) -> bool:
    """Whether path (symlinks followed) stays inside root: a package may link only to its own files."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def links_outside(program: Path, root: Path) -> list[str]:
    """Files of a program (one file, or a folder and everything in it) that resolve outside root, by name.

    The judge copies a validator's folder whole, following links, as root: each must stay inside the package.
    """
    paths = [program, *program.rglob("*")] if program.is_dir() else [program]
    return [f"{p.relative_to(root)} links outside the package" for p in paths if not inside(p, root)]


def read_text(path: Path, limit: int = MAX_TEXT_BYTES) -> str:
    """A text file for display, UTF-8 with replacement, cut at `limit` bytes."""
    with path.open("rb") as f:
        data = f.read(limit + 1)
    text = data[:limit].decode("utf-8", errors="replace")
    return text + "\n…" if len(data) > limit else text
