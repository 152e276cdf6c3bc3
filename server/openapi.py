"""Generate openapi.json from the code: `python -m server.openapi [--check] [PATH]`."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from aiohttp_apigami.constants import SWAGGER_DICT

from .app import create_app
from .config import Config

DEFAULT_PATH = Path(__file__).parent.parent / "openapi.json"


def build_spec() -> dict[str, Any]:
    """The OpenAPI document of the application, independent of the machine it runs on."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Config(db_path=Path(folder) / "spec.db", contests_dir=Path(folder)))
        return app[SWAGGER_DICT]  # type: ignore[no-any-return]


def render(spec: dict[str, Any]) -> str:
    """Stable text for the committed file."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the spec, or with --check exit 1 when the committed file differs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the file is out of date")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args(argv)
    text = render(build_spec())
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != text:
            print(f"{args.path} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    args.path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
