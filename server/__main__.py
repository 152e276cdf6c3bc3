"""`python -m server`: read the configuration and serve."""

from __future__ import annotations

import gc
import logging
import sys

from aiohttp import web

from .app import create_app
from .config import ConfigError, load_config


async def _freeze_startup_objects(app: web.Application) -> None:
    """Move everything built at start (contests, restored rooms) out of the collector's sight.

    Full collections then scan only what serving creates; bench/README.md measured the worst
    snapshot loop lag going from 44 to 11 ms with 10,000 rooms.
    """
    gc.freeze()


def main() -> int:
    """Parse config, stop with one clear line when it is bad, otherwise serve until SIGTERM/SIGINT."""
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(config)
    app.on_startup.append(_freeze_startup_objects)
    web.run_app(app, host=config.app_host, port=config.app_port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
