"""The judge's cgroups: detection, the per-instance tree (v1 for real, v2 on a fake tree), the launcher's v2 path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.judge import cgroups
from server.judge.cgroups import CgroupError, Mount, cpu_plan, read_mounts
from server.judge.launcher import Launcher, build_launcher

from .support.judge import sandbox_processes

V1_MOUNTINFO = """\
25 30 0:22 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
26 25 0:23 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
27 25 0:24 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct
28 25 0:25 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
29 25 0:26 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
30 25 0:27 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd
31 25 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
"""
V1_CGROUP = "4:memory:/process_api/abc\n3:pids:/\n2:cpuacct:/\n1:cpu:/\n0::/\n"


def test_cpu_plan_pins_when_there_is_a_core_to_spare() -> None:
    assert cpu_plan(1, [0, 1]) == [(1,)]
    assert cpu_plan(3, range(8)) == [(5,), (6,), (7,)]
    # 2 workers on 2 cores: the server would have no core; every slot shares both.
    assert cpu_plan(2, [0, 1]) == [(0, 1), (0, 1)]
    assert cpu_plan(4, [2, 3]) == [(2, 3)] * 4


def test_read_mounts_finds_v1_controllers_and_our_place(tmp_path: Path) -> None:
    proc = tmp_path / "self"
    proc.mkdir()
    (proc / "mountinfo").write_text(V1_MOUNTINFO)
    (proc / "cgroup").write_text(V1_CGROUP)
    mounts = {m.path.name: m for m in read_mounts(proc)}
    assert set(mounts) == {"cpu", "cpuacct", "memory", "pids", "unified"}
    assert mounts["memory"].version == 1 and mounts["memory"].controllers == {"memory"}
    assert mounts["unified"].version == 2
    # Our memory cgroup folder does not exist in this fake: fall back to the mount point.
    assert mounts["memory"].own == Path("/sys/fs/cgroup/memory")


def test_read_mounts_this_machine() -> None:
    mounts = read_mounts()
    for mount in mounts:
        assert mount.own.is_dir() and mount.own.is_relative_to(mount.path)


@pytest.fixture
def fake_v2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[tuple[str, str]]]:
    """A container's cgroup v2 namespace root holding the server: what Docker shows a container."""
    root = tmp_path / "cgroup"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory hugetlb pids rdma misc\n")
    (root / "cgroup.subtree_control").write_text("")
    (root / "cgroup.type").write_text("domain\n")  # a namespace root, not the real one
    (root / "cgroup.procs").write_text("1\n7\n")
    writes: list[tuple[str, str]] = []
    real_write = cgroups._write

    def record(path: Path, value: str) -> None:
        writes.append((str(path.relative_to(root)), value))
        real_write(path, value)

    monkeypatch.setattr(cgroups, "_write", record)  # the kernel's files are plain files here: keep the history
    return root, writes


def test_v2_in_a_container_moves_the_server_out_then_delegates(fake_v2: tuple[Path, list[tuple[str, str]]]) -> None:
    root, writes = fake_v2
    mount = Mount(root, 2, frozenset({"cpuset", "cpu", "io", "memory", "pids"}), root)
    tree = cgroups.setup("42-beef", workers=2, mounts=[mount], available=[0, 1, 2])
    base = "tt-judge-42-beef"
    assert tree.version == 2 and tree.pinned and tree.slots == ((1,), (2,))
    assert tree.parents(1) == [str(root / base / "slot-1")]
    # no internal processes: the server leaves the namespace root before it hands out controllers
    assert writes[:2] == [("tt-server/cgroup.procs", "1"), ("tt-server/cgroup.procs", "7")]
    enabling = [value for path, value in writes if path == "cgroup.subtree_control"]
    assert enabling == ["+memory", "+pids", "+cpu", "+cpuset"]
    assert (f"{base}/cpu.weight", "200") in writes
    assert (f"{base}/slot-0/cpuset.cpus", "1") in writes and (f"{base}/slot-1/cpuset.cpus", "2") in writes
    for folder in (base, f"{base}/slot-0", f"{base}/slot-1"):
        assert [v for p, v in writes if p == f"{folder}/cgroup.subtree_control"] == enabling
    assert "pinned" not in tree.description and "one CPU per slot" in tree.description


def test_v2_without_a_memory_controller_is_refused(tmp_path: Path) -> None:
    mount = Mount(tmp_path, 2, frozenset({"cpu", "pids"}), tmp_path)
    with pytest.raises(CgroupError, match="memory"):
        cgroups.setup("1-a", workers=1, mounts=[mount], available=[0])


def test_no_hierarchy_is_refused() -> None:
    with pytest.raises(CgroupError, match="no cgroup"):
        cgroups.setup("1-a", workers=1, mounts=[], available=[0])


def _v1_mounts() -> list[Mount]:
    mounts = [m for m in read_mounts() if m.version == 1]
    if not any("memory" in m.controllers for m in mounts):
        pytest.skip("no cgroup v1 memory hierarchy here")
    if os.geteuid() != 0:
        pytest.skip("creating cgroups needs root")
    return mounts


def test_v1_tree_is_made_and_removed() -> None:
    mounts = _v1_mounts()
    tree = cgroups.setup(f"{os.getpid()}-test1", workers=1, mounts=mounts)
    try:
        parents = [Path(p) for p in tree.parents(0)]
        assert all(p.is_dir() for p in parents)
        assert {c for m in mounts for c in m.controllers if any(str(p).startswith(str(m.path)) for p in parents)} >= {
            "memory",
            "cpuacct",
            "pids",
        }
        cpu = next((p for p in parents if (p / "cpu.shares").exists()), None)
        if cpu is not None:
            assert (cpu.parent / "cpu.shares").read_text().strip() == "1024"
    finally:
        tree.close()
    assert not any(p.exists() for p in parents)
    assert not any(p.parent.exists() for p in parents)


def test_v1_a_tree_that_fails_half_way_is_removed() -> None:
    # A CPU the machine does not have: the slot's cpuset.cpus write fails after its instance folder was made.
    mounts = _v1_mounts()
    if not any("cpuset" in m.controllers for m in mounts):
        pytest.skip("no cgroup v1 cpuset hierarchy here")
    instance = f"{os.getpid()}-half"
    with pytest.raises(CgroupError, match="cannot create"):
        cgroups.setup(instance, workers=1, mounts=mounts, available=[0, 4095])
    left = [m.own / f"{cgroups.PREFIX}{instance}" for m in mounts]
    assert [folder for folder in left if folder.exists()] == []


def test_v1_stale_trees_of_dead_servers_are_removed() -> None:
    mounts = _v1_mounts()
    pids = next(m for m in mounts if "pids" in m.controllers)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = pids.own / f"tt-judge-{int(dead.stdout)}-dead" / "slot-0"
    live = pids.own / "tt-judge-1-alive"  # pid 1 never dies
    stale.mkdir(parents=True)
    live.mkdir()
    try:
        tree = cgroups.setup(f"{os.getpid()}-test2", workers=1, mounts=mounts)
        tree.close()
        assert not stale.parent.exists()
        assert live.exists()
    finally:
        for folder in (stale, stale.parent, live):
            if folder.exists():
                folder.rmdir()


# -- the launcher's cgroup v2 path, on this machine's v2 hierarchy (without controllers) ----------

CHEAT = """\
import os, time
r, w = os.pipe()
for i in range(3):
    if os.fork() == 0:
        os.setsid()  # out of the process group: only the cgroup still holds it
        start = time.process_time()
        while time.process_time() - start < 0.6:
            pass
        if i == 0:
            os.write(w, b"42\\n")
        time.sleep(60)
print(os.read(r, 10).decode().strip())
"""


@pytest.fixture
def v2_parent() -> Iterator[Path]:
    """A parent cgroup in the unified hierarchy, where cpu.stat and cgroup.kill exist even without controllers."""
    unified = next((m for m in read_mounts() if m.version == 2), None)
    if unified is None or os.geteuid() != 0:
        pytest.skip("no writable cgroup v2 hierarchy here")
    parent = unified.own / f"tt-judge-test-{os.getpid()}"
    parent.mkdir()
    if not (parent / "cgroup.kill").exists():
        parent.rmdir()
        pytest.skip("this kernel's cgroup v2 has no cgroup.kill")
    yield parent
    cgroups.remove_tree(parent)


@pytest.fixture(scope="module")
def launcher() -> Launcher:
    return build_launcher()


def test_v2_launcher_accounts_the_whole_tree_and_kills_it(launcher: Launcher, v2_parent: Path, tmp_path: Path) -> None:
    script = tmp_path / "cheat.py"
    script.write_text(CHEAT)
    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    argv = [launcher.path, "-V", "2", "-c", str(v2_parent), "-t", "1000", "-w", "10000", "-d", str(tmp_path)]
    done = subprocess.run(
        [*argv, "--", python, str(script)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        pass_fds=(launcher.fd,),
    )
    exit_code, signal, cpu_us, _wall, _memory, timed_out, _ooms, _wait, accounted, _ended = map(
        int, done.stderr.strip().splitlines()[-1].split()[1:]
    )
    assert accounted == 1
    # Three helpers burn 1.8 s between them: the tree's total passes the 1 s limit and the whole tree is killed,
    # although the main process itself never used any CPU.
    assert 1000_000 <= cpu_us < 1900_000, done.stderr
    assert signal == 9 and not timed_out and exit_code == -1
    assert [p.name for p in v2_parent.iterdir() if p.is_dir()] == []  # the run's leaf is gone
    # The helpers left the process group (setsid) and no PID namespace held them: cgroup.kill got them.
    assert sandbox_processes({0}, str(script).encode()) == []
