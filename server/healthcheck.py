"""`python -m server healthcheck`: the container's HEALTHCHECK, asking the server on APP_HOST:APP_PORT.

Healthy means the database takes writes (/health/ping-database answers 200) and the judge judges
(/health/ping-application says `judge.ready`). It reads the same configuration as the server
(environment, then .env), so the check follows APP_PORT wherever it is set; a server listening on
every address (0.0.0.0, ::) is asked on loopback.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from .config import Config

log = logging.getLogger(__name__)

TIMEOUT = 3.0
_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def base_url(config: Config) -> str:
    """http://HOST:PORT of this server, loopback for a wildcard address."""
    host = _ANY.get(config.app_host, config.app_host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.app_port}"


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
            return resp.status, resp.read(4096)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(300)


def healthcheck(config: Config) -> int:
    """0 when the database takes writes and the judge judges, 1 otherwise (with one line saying why)."""
    base = base_url(config)
    try:
        status, body = _get(f"{base}/health/ping-database")
        if status != 200:
            log.error("%s/health/ping-database answered %d: %s", base, status, body.decode(errors="replace"))
            return 1
        status, body = _get(f"{base}/health/ping-application")
        judge = json.loads(body).get("judge", {}) if status == 200 else {}
        if status != 200 or not judge.get("ready", False):
            log.error("%s/health/ping-application: the judge does not judge: %s", base, body.decode(errors="replace"))
            return 1
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.error("%s did not answer: %s", base, exc)
        return 1
    return 0
