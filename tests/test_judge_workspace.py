"""Per-instance judge folders: private to their instance, removed only after their owner is gone."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

from server.judge import workspace
from server.judge.workspace import Workspace, clear_abandoned


def test_each_instance_has_its_own_locked_folder(tmp_path: Path) -> None:
    first, second = Workspace(tmp_path, "1-a"), Workspace(tmp_path, "2-b")
    assert sorted(os.listdir(tmp_path)) == ["tt-judge-1-a", "tt-judge-2-b"]
    assert os.listdir(first.root) == [".lock"]  # never an unlocked .lock.new left behind
    (first.root / "sub-1").mkdir()
    # Another instance starting (or a third one) never touches a live instance's folder.
    third = Workspace(tmp_path, "3-c")
    assert (first.root / "sub-1").is_dir() and second.root.is_dir()
    for ws in (first, second, third):
        ws.close()
    assert os.listdir(tmp_path) == []


def test_a_dead_instance_folder_is_removed(tmp_path: Path) -> None:
    # A server killed with kill -9: the kernel drops its lock, the next instance removes the folder.
    code = (
        "import os, pathlib\nfrom server.judge.workspace import Workspace\n"
        f"Workspace(pathlib.Path({str(tmp_path)!r}), 'dead-1')\nos._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1], timeout=30)
    assert os.listdir(tmp_path) == ["tt-judge-dead-1"]
    alive = Workspace(tmp_path, "alive-2")
    assert os.listdir(tmp_path) == ["tt-judge-alive-2"]
    alive.close()


def test_a_held_lock_keeps_the_folder(tmp_path: Path) -> None:
    live = tmp_path / "tt-judge-live"
    (live / "sub-9").mkdir(parents=True)
    (live / ".lock").touch()
    with open(live / ".lock") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        clear_abandoned(tmp_path)
        assert (live / "sub-9").is_dir()
    clear_abandoned(tmp_path)
    assert not live.exists()


def test_a_folder_without_a_lock_is_left_while_young(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # It may be an instance between mkdir and taking its lock: only an old one is abandoned.
    young, old = tmp_path / "tt-judge-young", tmp_path / "tt-judge-old"
    young.mkdir()
    old.mkdir()
    past = time.time() - workspace.ABANDONED_AFTER - 60
    os.utime(old, (past, past))
    clear_abandoned(tmp_path)
    assert young.is_dir() and not old.exists()


def test_a_vanishing_folder_is_not_an_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Two judges clearing at once: the other one removed the folder between listing and locking.
    gone = tmp_path / "tt-judge-gone"
    gone.mkdir()
    real_scandir = os.scandir

    def listing_then_removal(path: object) -> object:
        entries = list(real_scandir(path))  # type: ignore[call-overload]
        gone.rmdir()
        return iter(entries)

    monkeypatch.setattr(workspace.os, "scandir", listing_then_removal)
    clear_abandoned(tmp_path)  # no FileNotFoundError
    assert os.listdir(tmp_path) == []
