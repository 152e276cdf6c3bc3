"""Unpack an uploaded zip archive safely, or refuse it with every reason.

Refused: entries that leave the target (absolute paths, `..`, drive letters, backslashes), symbolic
links and device files, encrypted entries, archives inside the archive, names no file system holds
(a component over 255 bytes, nesting deeper than MAX_DEPTH, a name that is both a file and a
folder), more than `max_files` entries, and more than `max_bytes` unpacked, counted on the bytes
actually written (a header that understates a member's size cannot smuggle a zip bomb past the check).
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .errors import PackageError

NESTED_ARCHIVES = (".zip", ".kpp", ".jar", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".7z", ".rar")
_CHUNK = 1 << 20
NAME_MAX = 255  # bytes per path component (Linux file systems)
# Real packages nest a handful deep with short names; these leave room under PATH_MAX (4096 bytes)
# for the contests folder and the staging folder in front.
MAX_DEPTH = 32
MAX_NAME = 1024  # bytes of a whole entry name


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """How big an upload may be: the archive itself, what it unpacks to, and how many entries it has."""

    max_archive_bytes: int = 256 << 20
    max_bytes: int = 2 << 30
    max_files: int = 20_000


class ArchiveTooLarge(PackageError):
    """The upload is larger than allowed (HTTP 413, not 422)."""


def _entry_errors(info: zipfile.ZipInfo) -> list[str]:
    name = info.filename
    errors = []
    path = PurePosixPath(name)
    if "\\" in name or path.is_absolute() or (len(name) > 1 and name[1] == ":") or "\0" in name:
        errors.append(f"{name}: absolute or Windows-style path")
    elif ".." in path.parts:
        errors.append(f"{name}: path leaves the archive (..)")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        errors.append(f"{name}: symbolic links are not accepted")
    elif mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) and stat.S_IFMT(mode):
        errors.append(f"{name}: not a regular file")
    short = name if len(name) <= 80 else f"{name[:80]}…"
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME or any(
        len(part.encode("utf-8", "surrogateescape")) > NAME_MAX for part in path.parts
    ):
        errors.append(f"{short}: name too long (over {MAX_NAME} bytes, or a part over {NAME_MAX})")
    elif len(path.parts) > MAX_DEPTH:
        errors.append(f"{short}: nested too deep (more than {MAX_DEPTH} levels)")
    if info.flag_bits & 0x1:
        errors.append(f"{name}: encrypted entries are not accepted")
    if not info.is_dir() and name.lower().endswith(NESTED_ARCHIVES):
        errors.append(f"{name}: archives inside the archive are not accepted")
    return errors


def _clash_errors(infos: list[zipfile.ZipInfo]) -> list[str]:
    """Files whose name another entry uses as a folder (`a` and `a/b`, or `a/`): unpacking would fail half-way."""
    files = {PurePosixPath(i.filename) for i in infos if not i.is_dir()}
    folders = {parent for i in infos for parent in PurePosixPath(i.filename).parents}
    folders |= {PurePosixPath(i.filename) for i in infos if i.is_dir()}
    return [f"{path}: is both a file and a folder in the archive" for path in sorted(files & folders)]


def unpack(source: Path | BinaryIO, target: Path, limits: ArchiveLimits = ArchiveLimits()) -> None:
    """Unpack a zip archive into the empty folder target (blocking); PackageError lists what is refused."""
    if isinstance(source, Path) and source.stat().st_size > limits.max_archive_bytes:
        raise ArchiveTooLarge(f"the archive is larger than {limits.max_archive_bytes >> 20} MiB")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PackageError(f"the upload is not a zip archive ({exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_files:
            raise ArchiveTooLarge(f"the archive has {len(infos)} entries; at most {limits.max_files} are accepted")
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_bytes:
            raise ArchiveTooLarge(f"the archive unpacks to {declared >> 20} MiB; at most {limits.max_bytes >> 20} MiB")
        errors = [e for info in infos for e in _entry_errors(info)]
        errors += _clash_errors(infos)
        if errors:
            raise PackageError(*errors)
        if not infos:
            raise PackageError("the archive is empty")
        target.mkdir(parents=True, exist_ok=True)
        root = target.resolve()
        written = 0
        for info in infos:
            destination = (root / info.filename).resolve()
            if not destination.is_relative_to(root):  # belt and braces after the name checks
                raise PackageError(f"{info.filename}: path leaves the archive")
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            written += _extract(archive, info, destination, limits.max_bytes - written)
            # Programs of a package (validators' build/run scripts) keep their executable bit; nothing else.
            os.chmod(destination, 0o755 if (info.external_attr >> 16) & 0o111 else 0o644)


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, budget: int) -> int:
    size = 0
    try:
        with archive.open(info) as src, destination.open("xb") as dst:
            while chunk := src.read(_CHUNK):
                size += len(chunk)
                if size > budget or size > info.file_size:
                    raise ArchiveTooLarge(f"{info.filename}: unpacks to more than it declares, or past the limit")
                dst.write(chunk)
    except FileExistsError:
        raise PackageError(f"{info.filename}: appears twice in the archive") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise PackageError(f"{info.filename}: cannot be unpacked ({exc})") from None
    return size


def remove_tree(path: Path) -> None:
    """Delete a folder, if it exists (blocking)."""
    shutil.rmtree(path, ignore_errors=True)
