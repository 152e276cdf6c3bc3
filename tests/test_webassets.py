"""The web client's asset table: what is public, ETags, gzip, cache lifetimes, conditional and encoding headers."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from server.webassets import (
    IMMUTABLE,
    REVALIDATE,
    accepts_gzip,
    if_none_match,
    inline_script_hashes,
    load_assets,
    make_asset,
    servable,
)


def test_load_keeps_only_public_files(tmp_path: Path) -> None:
    (tmp_path / "app" / ".hidden").mkdir(parents=True)
    (tmp_path / "vendor" / "rebuild" / "node_modules" / "x").mkdir(parents=True)
    files = {
        "index.html": "<!doctype html>",
        "app/main.js": "export {};",
        "app.css": "body{}",
        "vendor/ui.0123456789.js": "export const x = 1;",
        "vendor/rebuild/build.sh": "#!/bin/sh",
        "vendor/rebuild/package.json": "{}",
        "vendor/rebuild/entry.js": "export {};",
        "vendor/rebuild/node_modules/x/index.js": "",
        ".secret.js": "",
        "app/.hidden/x.js": "",
        "notes.md": "# private",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert set(load_assets(tmp_path)) == {"index.html", "app/main.js", "app.css", "vendor/ui.0123456789.js"}


def test_missing_folder_serves_nothing(tmp_path: Path) -> None:
    assert load_assets(tmp_path / "absent") == {}


@pytest.mark.parametrize(
    ("path", "public"),
    [
        ("app/main.js", True),
        ("vendor/licenses/preact@11.txt", True),
        ("vendor/rebuild/build.sh", False),
        ("vendor/rebuild/package.json", False),
        ("app/x.py", False),
        (".env", False),
    ],
)
def test_servable(path: str, public: bool) -> None:
    assert servable(Path(path)) is public


def test_hashed_bundles_are_immutable_and_the_rest_revalidates() -> None:
    assert make_asset("vendor/editor.9a66766ae2.js", b"x").cache_control == IMMUTABLE
    assert make_asset("app/main.js", b"x").cache_control == REVALIDATE
    assert make_asset("index.html", b"x").cache_control == REVALIDATE


def test_gzip_only_when_it_pays_and_round_trips() -> None:
    text = b"const x = 1;\n" * 200
    asset = make_asset("app/a.js", text)
    assert asset.gzipped is not None and gzip.decompress(asset.gzipped) == text
    assert asset.content_type == "text/javascript; charset=utf-8"
    assert make_asset("a.js", b"tiny").gzipped is None
    assert make_asset("a.png", b"\x89PNG" + bytes(range(256)) * 8).gzipped is None  # images are compressed already


def test_etags_are_strong_and_differ_by_content_and_encoding() -> None:
    one, two = make_asset("a.js", b"a" * 1000), make_asset("a.js", b"b" * 1000)
    assert one.etag.startswith('"') and one.etag.endswith('"') and not one.etag.startswith("W/")
    assert one.etag != two.etag and one.gzip_etag != one.etag
    assert make_asset("a.js", b"a" * 1000) == one  # stable across starts (gzip mtime 0)


@pytest.mark.parametrize(
    ("header", "match"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x"', False),
        ("*", True),
    ],
)
def test_if_none_match(header: str | None, match: bool) -> None:
    assert if_none_match(header, ('"abc"', '"abc-gz"')) is match


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("deflate", False),
        ("*", True),
        (None, False),
        ("gzip;q=oops", False),
    ],
)
def test_accepts_gzip(header: str | None, ok: bool) -> None:
    assert accepts_gzip(header) is ok


def test_inline_script_hashes_cover_inline_scripts_only() -> None:
    page = '<script type="importmap">{"imports": {}}</script><script type="module" src="/web/app/main.js"></script>'
    (only,) = inline_script_hashes(page)
    assert only == "'sha256-CJt/FpW3RQlGvqBeO/YK74xrTm1ctS6rLMJu1bV4fMc='"  # base64 SHA-256 of the script text
