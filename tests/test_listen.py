"""Listening sockets (server.listen) and the instance lock (server.instance_lock): failures name their variable."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from server.instance_lock import InstanceLock, lock_path
from server.listen import bind_sockets, close_all, urls
from server.startup import StartupError


def test_port_zero_gets_one_port_for_every_address() -> None:
    sockets = bind_sockets("localhost", 0)
    try:
        (port,) = {s.getsockname()[1] for s in sockets}
        assert port != 0 and all(u.endswith(f":{port}") for u in urls(sockets))
    finally:
        close_all(sockets)


def test_ipv6_urls_are_bracketed() -> None:
    try:
        sockets = bind_sockets("::1", 0)
    except StartupError:
        pytest.skip("no IPv6 loopback here")
    try:
        (url,) = urls(sockets)
        assert url.startswith("http://[::1]:")
    finally:
        close_all(sockets)


def test_a_port_in_use_names_app_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(StartupError) as caught:
            bind_sockets("127.0.0.1", taken.getsockname()[1])
    assert caught.value.variable == "APP_PORT" and caught.value.exit_code == 1


def test_the_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    db = tmp_path / "var" / "trainer.db"
    first, second = InstanceLock(db), InstanceLock(db)
    first.acquire()
    assert lock_path(db).read_text().strip().isdigit()
    with pytest.raises(StartupError, match="in use by another server") as caught:
        second.acquire()
    assert caught.value.variable == "DB_PATH" and not second.held
    first.release()
    second.acquire()
    second.release()
