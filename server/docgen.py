"""The command line shared by the generated documents (openapi.json, asyncapi.json): write, or --check."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def render(document: dict[str, Any]) -> str:
    """Stable text for a committed document: sorted keys, two-space indent, UTF-8 as is."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(description: str, build: Callable[[], dict[str, Any]], default_path: Path, argv: list[str] | None) -> int:
    """Write the document to PATH, or with --check exit 1 when the committed file differs."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="fail when the file is out of date")
    parser.add_argument("path", nargs="?", type=Path, default=default_path)
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != text:
            print(f"{args.path} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    args.path.write_text(text, encoding="utf-8")
    return 0
