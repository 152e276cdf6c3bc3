"""`python -m server healthcheck`: the container's HEALTHCHECK, asking the server on APP_HOST:APP_PORT.

It reads the same configuration as the server (environment, then .env), so the check follows
APP_PORT wherever it is set; a server listening on every address (0.0.0.0, ::) is asked on loopback.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

from .config import Config

log = logging.getLogger(__name__)

TIMEOUT = 3.0
_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def health_url(config: Config) -> str:
    """The URL of /health/ping-database on this server."""
    host = _ANY.get(config.app_host, config.app_host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.app_port}/health/ping-database"


def healthcheck(config: Config) -> int:
    """0 when the server answers 200, 1 otherwise (with one line saying why)."""
    url = health_url(config)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
            if resp.status == 200:
                return 0
            log.error("%s answered %d", url, resp.status)
    except urllib.error.HTTPError as exc:
        log.error("%s answered %d: %s", url, exc.code, exc.read(300).decode(errors="replace"))
    except (urllib.error.URLError, OSError) as exc:
        log.error("%s did not answer: %s", url, exc)
    return 1
