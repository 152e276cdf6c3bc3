"""Unpacking uploads: everything unsafe is refused with a reason, good archives unpack as they are."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from server.contests.archive import ArchiveLimits, ArchiveTooLarge, unpack
from server.contests.errors import PackageError


def make_zip(entries: dict[str, bytes], modes: dict[str, int] | None = None) -> bytes:
    """A zip archive of name -> content, with optional unix modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (modes or {}).get(name, stat.S_IFREG | 0o644) << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_good_archive_unpacks_with_modes(tmp_path: Path) -> None:
    data = make_zip(
        {"p/problem.yaml": b"name: x\n", "p/output_validator/run": b"#!/bin/sh\n", "p/data/": b""},
        {"p/output_validator/run": stat.S_IFREG | 0o755, "p/data/": stat.S_IFDIR | 0o755},
    )
    unpack(io.BytesIO(data), tmp_path / "out")
    assert (tmp_path / "out" / "p" / "problem.yaml").read_bytes() == b"name: x\n"
    assert (tmp_path / "out" / "p" / "output_validator" / "run").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "out" / "p" / "problem.yaml").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "out" / "p" / "data").is_dir()


@pytest.mark.parametrize(
    ("name", "mode", "reason"),
    [
        ("../evil.txt", None, "leaves the archive"),
        ("a/../../evil.txt", None, "leaves the archive"),
        ("/etc/cron.d/x", None, "absolute"),
        ("C:/windows/x", None, "absolute"),
        ("a\\..\\b", None, "Windows-style"),
        ("link", stat.S_IFLNK | 0o777, "symbolic links"),
        ("fifo", stat.S_IFIFO | 0o644, "not a regular file"),
        ("data/tests.zip", None, "archives inside"),
        ("data/more.tar.gz", None, "archives inside"),
    ],
)
def test_unsafe_entries_are_refused(tmp_path: Path, name: str, mode: int | None, reason: str) -> None:
    data = make_zip({"ok.txt": b"1", name: b"/etc/passwd"}, {name: mode} if mode else None)
    with pytest.raises(PackageError, match=reason) as caught:
        unpack(io.BytesIO(data), tmp_path / "out")
    assert caught.value.errors == [e for e in caught.value.errors if name in e]  # each names its entry
    assert not (tmp_path / "out").exists()  # nothing was written
    assert not (tmp_path / "evil.txt").exists()


def test_every_unsafe_entry_is_listed(tmp_path: Path) -> None:
    data = make_zip({"../a": b"", "/b": b"", "c.zip": b""})
    with pytest.raises(PackageError) as caught:
        unpack(io.BytesIO(data), tmp_path / "out")
    assert len(caught.value.errors) == 3


def test_size_and_count_limits(tmp_path: Path) -> None:
    many = make_zip({f"f{i}": b"x" for i in range(11)})
    with pytest.raises(ArchiveTooLarge, match="11 entries"):
        unpack(io.BytesIO(many), tmp_path / "a", ArchiveLimits(max_files=10))
    big = make_zip({"zeros": bytes(5 << 20)})
    assert len(big) < 64 * 1024  # a small archive that unpacks big
    with pytest.raises(ArchiveTooLarge, match="unpacks to 5 MiB"):
        unpack(io.BytesIO(big), tmp_path / "b", ArchiveLimits(max_bytes=1 << 20))
    archive = tmp_path / "c.zip"
    archive.write_bytes(big)
    with pytest.raises(ArchiveTooLarge, match="larger than"):
        unpack(archive, tmp_path / "c", ArchiveLimits(max_archive_bytes=1024))


def test_a_header_that_understates_the_size_is_caught(tmp_path: Path) -> None:
    data = bytearray(make_zip({"bomb": bytes(10 << 20)}))
    # Claim 100 bytes in the central directory (uncompressed size field at offset 24 of its entry).
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 100)
    with pytest.raises(PackageError):
        unpack(io.BytesIO(bytes(data)), tmp_path / "out", ArchiveLimits(max_bytes=1 << 20))
    written = tmp_path / "out" / "bomb"
    assert not written.exists() or written.stat().st_size <= 1 << 20


def test_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="not a zip archive"):
        unpack(io.BytesIO(b"%PDF-1.4 hello"), tmp_path / "out")
    with pytest.raises(PackageError, match="empty"):
        unpack(io.BytesIO(make_zip({})), tmp_path / "out")


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ({"p/x": b"a", "p/x/y": b"b"}, "both a file and a folder"),
        ({"p/x/y": b"b", "p/x": b"a"}, "both a file and a folder"),
        ({"p/x": b"a", "p/x/": b""}, "both a file and a folder"),
        ({"p/" + "a" * 300: b"a"}, "name too long"),
        ({"p/" + ("d" * 200 + "/") * 30 + "f": b"a"}, "name too long"),
        ({"p/" + "d/" * 40 + "f": b"a"}, "nested too deep"),
    ],
)
def test_names_the_file_system_cannot_hold_are_refused_before_writing(
    tmp_path: Path, entries: dict[str, bytes], reason: str
) -> None:
    # Not an OSError from half-way through unpacking (a 500 for the upload): a reason, and nothing written.
    with pytest.raises(PackageError, match=reason):
        unpack(io.BytesIO(make_zip({"p/problem.yaml": b"name: x\n", **entries})), tmp_path / "out")
    assert not (tmp_path / "out").exists()
