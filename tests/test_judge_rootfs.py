"""The allow-list root's binds: the system trees, the /etc subset, symlinks as symlinks."""

from __future__ import annotations

import os
from pathlib import Path

from server.judge.rootfs import allow_list, covered


def test_merged_usr_layout(tmp_path: Path) -> None:
    for folder in ("usr/bin", "usr/lib", "etc/java-17-openjdk", "etc/alternatives", "opt/pypy/bin", "home/secret"):
        (tmp_path / folder).mkdir(parents=True)
    os.symlink("usr/bin", tmp_path / "bin")
    os.symlink("usr/lib", tmp_path / "lib")
    (tmp_path / "etc" / "ld.so.cache").write_text("")
    (tmp_path / "etc" / "shadow").write_text("root:x")
    spec = allow_list(root=str(tmp_path))
    assert spec.links == ("/bin=usr/bin", "/lib=usr/lib")
    assert spec.binds == ("/usr", "/etc/ld.so.cache", "/etc/alternatives", "/etc/java-17-openjdk")
    assert "-b" in spec.args() and "/bin=usr/bin" in spec.args()


def test_a_tool_outside_the_system_trees_brings_its_installation() -> None:
    spec = allow_list(tools=["/usr/bin/gcc", "/opt/pypy3.9/bin/pypy3"])
    assert "/opt/pypy3.9" in spec.binds and not any(b.startswith("/opt/pypy3.9/") for b in spec.binds)
    assert covered("/usr/lib/jvm", spec.binds) and not covered("/usrx", spec.binds)


def test_this_machine() -> None:
    spec = allow_list()
    assert covered("/usr/bin/gcc", spec.binds)
    assert not covered("/home", spec.binds) and not covered("/var", spec.binds) and not covered("/root", spec.binds)
    assert all(not b.startswith("/etc/") or b.split("/")[2] not in ("shadow", "passwd", "ssh") for b in spec.binds)
