"""Generate openapi.json from the code: `python -m server.openapi [--check] [PATH]`."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from aiohttp_apigami.constants import SWAGGER_DICT

from . import docgen
from .app import create_app
from .config import Config
from .docgen import render

DEFAULT_PATH = Path(__file__).parent.parent / "openapi.json"
__all__ = ["DEFAULT_PATH", "build_spec", "main", "render"]


def build_spec() -> dict[str, Any]:
    """The OpenAPI document of the application, independent of the machine it runs on."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Config(db_path=Path(folder) / "spec.db", contests_dir=Path(folder)))
        return app[SWAGGER_DICT]  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    """Write the document, or with --check exit 1 when the committed file differs."""
    return docgen.main(__doc__ or "", build_spec, DEFAULT_PATH, argv)


if __name__ == "__main__":
    sys.exit(main())
