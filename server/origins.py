"""Which browser origins may use a cookie-borne token: the server's own, and those listed in ALLOW_ORIGINS.

A browser attaches the `access_token` cookie to every request to this server, whichever page makes
it, so a request authenticated by that cookie is only trusted when its `Origin` is the server's own
origin (the original web client deployed beside the server) or one the operator listed. `*` never
counts here: with it any page on the internet could read and overwrite a team's code through a
visitor's cookie (cross-site WebSocket hijacking). A token sent explicitly (header, `?token=`) is
not ambient, so it needs no such check. Plain functions, no aiohttp.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize(origin: str) -> str:
    """An origin as compared: trimmed, lower-case, without a trailing slash."""
    return origin.strip().rstrip("/").lower()


def _host_port(netloc: str, scheme: str) -> tuple[str, int | None] | None:
    """(host, port) of a netloc, with the scheme's default port made explicit; None when malformed."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if parts.hostname is None or parts.username is not None or parts.path not in ("", "/"):
        return None
    return parts.hostname, port if port is not None else _DEFAULT_PORTS.get(scheme)


def is_same_origin(origin: str, host: str | None) -> bool:
    """True when a browser Origin names the host (and port) this request was sent to."""
    if not host:
        return False
    try:
        parts = urlsplit(normalize(origin))
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    mine = _host_port(host.strip().lower(), parts.scheme)
    theirs = _host_port(parts.netloc, parts.scheme)
    return mine is not None and mine == theirs


def origin_allowed(origin: str | None, host: str | None, listed: tuple[str, ...]) -> bool:
    """May a page of this Origin open a socket? Any under `*`, our own, a listed one; no Origin: not a browser."""
    if origin is None or "*" in listed or is_same_origin(origin, host):
        return True
    return normalize(origin) in {normalize(o) for o in listed}


def cookie_origin_allowed(origin: str | None, host: str | None, listed: tuple[str, ...]) -> bool:
    """May a request from this Origin be authenticated by the cookie? As origin_allowed, but `*` counts for nothing."""
    return origin_allowed(origin, host, tuple(o for o in listed if o != "*"))
