"""`python -m server`: read the configuration and serve."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from .app import create_app
from .config import ConfigError, load_config
from .judge.isolation import JudgeUnavailable
from .memory import raise_mmap_threshold, tune_gc


async def _tune_gc(app: web.Application) -> None:
    """on_startup: everything built so far is frozen, and young collections become rare (see tune_gc)."""
    tune_gc()


def main() -> int:
    """Parse config, stop with one clear line when it is bad, otherwise serve until SIGTERM/SIGINT."""
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    raise_mmap_threshold()
    app = create_app(config)
    app.on_startup.append(_tune_gc)
    try:
        web.run_app(app, host=config.app_host, port=config.app_port, access_log=None, print=None)
    except JudgeUnavailable as exc:  # JUDGE_ISOLATION=strict and a sandbox layer is missing
        print(f"judge isolation error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
