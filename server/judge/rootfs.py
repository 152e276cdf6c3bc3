"""The allow-list root a sandboxed program sees: which host paths are bound into it, read-only.

Everything a C, C++, Python, PyPy, Java or Kotlin toolchain reads lives
under /usr (merged-/usr Debian: /bin, /lib and friends are symlinks into it),
plus a handful of files under /etc: the dynamic linker's cache, the
alternatives links (/usr/bin/java -> /etc/alternatives/java -> the JDK) and
the JDK's configuration (its lib/jvm.cfg is a link into /etc/java-17-openjdk).
The launcher adds a synthesized /etc/passwd, /etc/group and /etc/hosts, the
null/zero/random/urandom devices, /proc, /tmp and the box (launcher_fs.c).

Data kept under /usr would be visible; every path the server protects
(database, contests, working folder) is also covered inside the sandbox when
it lies under a bound folder.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives")
ETC_GLOBS = ("/etc/java-*", "/etc/python3*", "/etc/pypy3*", "/etc/kotlin*")


@dataclass(frozen=True)
class RootSpec:
    """Launcher arguments for the allow-list root: binds (-b) and symlinks (-l path=target)."""

    binds: tuple[str, ...]
    links: tuple[str, ...]

    def args(self) -> list[str]:
        """As launcher options."""
        out: list[str] = []
        for path in self.binds:
            out += ["-b", path]
        for spec in self.links:
            out += ["-l", spec]
        return out


def covered(path: str, binds: Iterable[str]) -> bool:
    """Whether path is one of the bound folders or inside one."""
    return any(path == b or path.startswith(b.rstrip("/") + "/") for b in binds)


def allow_list(tools: Iterable[str] = (), root: str = "/") -> RootSpec:
    """The binds and links for this machine: system trees, the /etc subset, and any tool living elsewhere."""
    binds: list[str] = []
    links: list[str] = []
    for path in SYSTEM:
        host = os.path.join(root, path.lstrip("/"))
        if os.path.islink(host):
            links.append(f"{path}={os.readlink(host)}")
        elif os.path.isdir(host):
            binds.append(path)
    globbed = (p for pattern in ETC_GLOBS for p in sorted(glob.glob(os.path.join(root, pattern.lstrip("/")))))
    for path in [*ETC, *("/" + os.path.relpath(p, root) for p in globbed)]:
        if os.path.lexists(os.path.join(root, path.lstrip("/"))) and path not in binds:
            binds.append(path)
    for tool in tools:
        # A compiler installed outside /usr (say /opt/pypy3/bin/pypy3): bind its installation.
        real = str(Path(tool).resolve())
        if not covered(real, binds):
            home = str(Path(real).parent.parent)
            if home != "/" and home not in binds:
                binds.append(home)
    return RootSpec(tuple(binds), tuple(links))
