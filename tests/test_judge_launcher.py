"""The launcher binary: cached only by root with its hash, verified before use, run from a sealed memory file."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from server.judge import launcher
from server.judge.launcher import build_launcher, probe, source_digest

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the cache is only used by root")


def test_the_running_launcher_cannot_be_changed(tmp_path: Path) -> None:
    built = build_launcher(tmp_path / "cache")
    try:
        writer = os.open(built.path, os.O_WRONLY)
        try:
            with pytest.raises(PermissionError):
                os.write(writer, b"#!/bin/sh\n")  # sealed: not even its owner can change it
        finally:
            os.close(writer)
        assert probe(built).euid == os.geteuid()
    finally:
        os.close(built.fd)


@needs_root
def test_a_tampered_cache_is_rebuilt_not_run(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = build_launcher(cache)
    gcc = subprocess.run(["sh", "-c", "command -v gcc"], capture_output=True, text=True).stdout.strip()
    cached = cache / f"launcher-{source_digest(gcc)}"
    built = hashlib.sha256(Path(first.path).read_bytes()).hexdigest()  # the sealed bytes that run
    assert (cache / f"{cached.name}.sha256").read_text().strip() == built
    # Someone replaces the binary (and would like it to run as root for every test).
    cached.write_bytes(b"#!/bin/sh\necho pwned\n")
    second = build_launcher(cache)
    try:
        assert hashlib.sha256(Path(second.path).read_bytes()).hexdigest() == built  # rebuilt from the sources
        assert probe(second).euid == 0
    finally:
        os.close(first.fd)
        os.close(second.fd)


@needs_root
def test_an_unsafe_cache_folder_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "open"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    with pytest.raises(launcher.JudgeError, match="unsafe"):
        build_launcher(cache)
