"""The built-in web client's static files, read once into memory with their ETags and gzip bodies.

No aiohttp here: `load_assets` is plain blocking I/O and CPU (hashing, gzip) that the view runs in a
thread once, on the first request, so tests that never open the web client never pay for it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

# Only these kinds are served; anything else in the folder (build scripts, package.json) stays private.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
_COMPRESSIBLE = {".html", ".js", ".mjs", ".css", ".svg", ".txt"}
_PRIVATE_DIRS = {"rebuild", "node_modules"}  # the maintainers' rebuild folder under web/vendor/
# build.sh names every bundle <name>.<10 hex>.js: new contents, new name, so a browser may keep it forever
_HASHED = re.compile(r"\.[0-9a-f]{10}\.(js|css)$")
_MIN_GZIP_GAIN = 0.9  # keep gzip only when it saves at least a tenth
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@dataclass(frozen=True, slots=True)
class Asset:
    """One servable file: its bytes, optional gzip bytes, strong ETags for both, and headers."""

    body: bytes
    gzipped: bytes | None
    etag: str
    gzip_etag: str
    content_type: str
    cache_control: str


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:24] + '"'


def make_asset(name: str, body: bytes) -> Asset:
    """Hash and (when it pays) gzip one file's bytes."""
    suffix = Path(name).suffix.lower()
    gzipped = None
    if suffix in _COMPRESSIBLE and len(body) > 256:
        packed = gzip.compress(body, compresslevel=9, mtime=0)  # mtime 0: same bytes, same ETag, every start
        if len(packed) < len(body) * _MIN_GZIP_GAIN:
            gzipped = packed
    etag = _etag(body)
    cache = IMMUTABLE if _HASHED.search(name) else REVALIDATE
    return Asset(body, gzipped, etag, etag[:-1] + '-gz"', CONTENT_TYPES[suffix], cache)


def servable(relative: Path) -> bool:
    """Whether a file under the web folder is public: a known kind, no hidden or private folder on its path."""
    parts = relative.parts
    return (
        relative.suffix.lower() in CONTENT_TYPES
        and not any(p.startswith(".") for p in parts)
        and not _PRIVATE_DIRS.intersection(parts[:-1])
    )


def load_assets(root: Path) -> dict[str, Asset]:
    """Every servable file under root, keyed by its '/'-separated path relative to root (blocking)."""
    assets: dict[str, Asset] = {}
    if not root.is_dir():
        return assets
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and servable(relative):
            name = relative.as_posix()
            assets[name] = make_asset(name, path.read_bytes())
    return assets


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-...') for every inline <script> in a page (the import map)."""
    found = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S | re.I)
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in found if s.strip()
    ]


def if_none_match(header: str | None, etags: tuple[str, ...]) -> bool:
    """RFC 9110 If-None-Match with weak comparison: does the header name any of our current ETags?"""
    if not header:
        return False
    if header.strip() == "*":
        return True
    listed = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return any(tag in listed for tag in etags)


def accepts_gzip(header: str | None) -> bool:
    """Whether Accept-Encoding allows gzip (absent q or q > 0)."""
    for part in (header or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False
