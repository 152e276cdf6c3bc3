"""Hostile submissions through the real app: contained by the judge while the server keeps answering.

Each attack of the sandbox issue as a real submission: the verdict and the figures the team sees must be
the true ones (whole process tree), and nothing of the attack may outlive its verdict.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from server.config import Config
from server.judge import Judge
from server.keys import CONFIG, JUDGE

from .support.api import Account, Api
from .support.judge import leased_uids, require, run_leaves, wait_no_processes
from .support.submissions import Verdicts, submit
from .support.ws import ClientFactory, start

LIMIT_MS = 1000  # the test contests' problems: 1 s, 64 MiB
MEMORY = 64 << 20

# Each program prints the right sum only when its attack FAILED, so OK proves containment.
PROBE = """
import os, socket, sys
a, b = map(int, input().split())
escaped = []
try:
    open({db!r}, "rb").read(16)
    escaped.append("read the database")
except OSError:
    pass
try:
    with open({beside!r}, "w") as f:
        f.write("pwned")
    escaped.append("wrote beside the database")
except OSError:
    pass
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
    escaped.append("reached the server")
except OSError:
    pass
print("ESCAPED: " + ", ".join(escaped) if escaped else a + b)
"""

FORK_BOMB_C = b"#include <unistd.h>\nint main(){for(;;)fork();}\n"
MEMORY_HOG_CPP = b"""#include <vector>
#include <cstdio>
int main(){std::vector<char*> v;for(;;){char*p=new char[1<<24];for(int i=0;i<(1<<24);i+=4096)p[i]=1;v.push_back(p);}}
"""


async def test_probe_cannot_read_write_or_connect(api: Api, client: TestClient) -> None:
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    db = client.app[CONFIG].db_path.resolve()
    beside = db.parent / "planted.txt"
    source = PROBE.format(db=str(db), beside=str(beside), port=client.port).encode()
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, source)
    final = await verdicts.final(run)
    full = await (await client.get(f"/training-sessions/{ts}/submissions/{run}/full", headers=alice.headers)).json()
    assert final["verdict"] == "OK", full
    assert not beside.exists()


async def test_fork_bomb_and_memory_hog_leave_the_server_responsive(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    """/health answers within 1 s while a fork bomb and a memory hog are judged.

    One judge worker: the two programs are judged one after the other, on one core (the judge pins a slot
    to a core of its own when cores >= workers + 1), so a 2-core machine keeps a core for the event loop.
    The 1 s budget then measures whether judging blocks the loop; with two workers both cores spun and
    the budget measured the scheduler instead (flaky).
    """
    client = await start(aiohttp_client, config, judge_workers=1)
    api = Api(client)
    alice = await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    verdicts = Verdicts(client)
    bomb = await submit(client, alice, ts, FORK_BOMB_C, compiler="gcc_c17")
    hog = await submit(client, alice, ts, MEMORY_HOG_CPP, compiler="gcc_cpp20")
    slowest = 0.0
    judged = asyncio.gather(verdicts.final(bomb), verdicts.final(hog))
    while not judged.done():
        started = time.monotonic()
        resp = await client.get("/health/ping-database")
        assert resp.status == 200
        slowest = max(slowest, time.monotonic() - started)
        await asyncio.wait({judged}, timeout=0.05)
    bomb_final, hog_final = await judged
    # 64 processes (the pids limit) of even a tiny program hold more than the problem's 64 MiB in page tables
    # and kernel stacks: the whole-tree accounting may call it either limit
    assert bomb_final["verdict"] in ("TimeLimitExceeded", "MemoryLimitExceeded", "RuntimeError")
    assert hog_final["verdict"] == "MemoryLimitExceeded"
    # generous bound: the point is that judging never blocks the event loop for long
    assert slowest < 1.0, f"a health check took {slowest:.3f}s while judging"


def app_judge(client: TestClient) -> Judge:
    """The app's sandboxed judge (behind the judging service)."""
    judge = client.app[JUDGE].sandbox
    assert isinstance(judge, Judge)
    return judge


async def full(client: TestClient, who: Account, ts: str, run: int) -> dict[str, Any]:
    """The full submission as its author sees it."""
    resp = await client.get(f"/training-sessions/{ts}/submissions/{run}/full", headers=who.headers)
    assert resp.status == 200
    return await resp.json()  # type: ignore[no-any-return]


async def one_team(api: Api) -> tuple[Account, str]:
    alice = await api.register()
    return alice, (await api.session(alice, (await api.team(alice))["id"]))["id"]


# Four helpers burn 0.9 s each and stay alive; one of them hands the answer to the main process,
# which prints it and exits having used almost no CPU itself.
CPU_CHEAT = b"""
import os, time
a, b = map(int, input().split())
r, w = os.pipe()
for i in range(4):
    if os.fork() == 0:
        start = time.process_time()
        while time.process_time() - start < 0.9:
            pass
        if i == 0:
            os.write(w, b"%d\\n" % (a + b))
        time.sleep(100)
print(os.read(r, 32).decode().strip())
"""


async def test_cpu_cheat_with_helpers_is_a_time_limit_with_the_true_time(api: Api, client: TestClient) -> None:
    require(app_judge(client), "cgroups")
    alice, ts = await one_team(api)
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, CPU_CHEAT)
    final = await verdicts.final(run)
    assert final["verdict"] == "TimeLimitExceeded", await full(client, alice, ts, run)
    # the whole tree's CPU: at least the limit (it was cut there), far from the main process's few ms
    assert LIMIT_MS <= final["time"] < 3000
    assert final["test"] == 1


MEMORY_CHEAT_C = b"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    long a, b;
    if (scanf("%ld %ld", &a, &b) != 2) return 1;
    int fds[2];
    pipe(fds);
    for (int i = 0; i < 4; i++) {
        if (fork() == 0) {
            char *p = malloc(200 << 20);
            memset(p, 1, 200 << 20);  /* touch and hold 200 MiB */
            write(fds[1], "x", 1);
            sleep(100);
        }
    }
    char c;
    for (int i = 0; i < 4; i++) read(fds[0], &c, 1);
    printf("%ld\\n", a + b);
    return 0;
}
"""


async def test_memory_cheat_with_helpers_is_a_memory_limit_with_the_true_memory(api: Api, client: TestClient) -> None:
    require(app_judge(client), "cgroups")
    alice, ts = await one_team(api)
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, MEMORY_CHEAT_C, compiler="gcc_c17")
    final = await verdicts.final(run)
    assert final["verdict"] == "MemoryLimitExceeded", await full(client, alice, ts, run)
    assert final["memory"] >= 0.9 * MEMORY  # the tree's peak, not the main process's 1 MiB
    assert final["memory"] <= 2 * MEMORY  # and the host never gave it more


HOG_C = b"""
#include <unistd.h>
int main(void) {
    for (int i = 0; i < 63; i++)
        if (fork() == 0) { volatile unsigned long x = 0; for (;;) x++; }
    pause();
}
"""
# 0.4 s of CPU of its own, then the answer: honest, and well inside the 1 s limit.
HONEST_C = b"""
#include <stdio.h>
#include <time.h>
int main(void) {
    long a, b;
    if (scanf("%ld %ld", &a, &b) != 2) return 1;
    volatile unsigned long x = 0;
    while (clock() < CLOCKS_PER_SEC * 4 / 10) x++;
    printf("%ld\\n", a + b);
}
"""


async def test_an_honest_neighbour_is_judged_ok_next_to_a_hog(api: Api, client: TestClient) -> None:
    require(app_judge(client), "cgroups")
    (hogger, hog_ts), (honest, honest_ts) = await one_team(api), await one_team(api)
    verdicts = Verdicts(client)
    hog = await submit(client, hogger, hog_ts, HOG_C, compiler="gcc_c17")
    fair = await submit(client, honest, honest_ts, HONEST_C, compiler="gcc_c17")
    hog_final, fair_final = await asyncio.gather(verdicts.final(hog), verdicts.final(fair))
    assert hog_final["verdict"] == "TimeLimitExceeded"
    assert fair_final["verdict"] == "OK", await full(client, honest, honest_ts, fair)
    assert 350 <= fair_final["time"] < LIMIT_MS


KERNEL_SURFACE = b"""
import ctypes, errno, os, socket
libc = ctypes.CDLL(None, use_errno=True)
a, b = map(int, input().split())
escaped = []
if libc.unshare(0x10000000 | 0x40000000 | 0x00020000) == 0:  # CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS
    escaped.append("unshare")
if libc.syscall(250, 1, None) != -1:  # keyctl(KEYCTL_JOIN_SESSION_KEYRING)
    escaped.append("keyctl")
if libc.syscall(248, b"user", b"note", b"for the next team", 17, -4) != -1:  # add_key to the user keyring
    escaped.append("add_key")
try:
    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12).close()  # NETLINK_NETFILTER
    escaped.append("netfilter netlink")
except OSError:
    pass
if os.path.exists("/dev/fuse"):
    escaped.append("/dev/fuse")
print("ESCAPED: " + ", ".join(escaped) if escaped else a + b)
"""


async def test_namespaces_keys_netlink_and_fuse_are_refused(api: Api, client: TestClient) -> None:
    require(app_judge(client), "seccomp", "allow-list root")
    alice, ts = await one_team(api)
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, KERNEL_SURFACE)
    final = await verdicts.final(run)
    assert final["verdict"] == "OK", await full(client, alice, ts, run)


@pytest.fixture
def data_copy() -> Iterator[Path]:
    """A world-readable copy of a problem's secret answer outside /tmp, /usr and every protected path."""
    if os.geteuid() != 0:
        pytest.skip("needs root to write under /var/lib")
    base = Path("/var/lib/team-trainer-tests")
    base.mkdir(exist_ok=True)
    base.chmod(0o755)
    folder = Path(tempfile.mkdtemp(prefix="copy-", dir=base))
    folder.chmod(0o755)
    answer = folder / "data" / "secret" / "02.ans"
    answer.parent.mkdir(parents=True)
    answer.write_text("int leaked_answer_271828 = 6;\n")
    for part in (answer, answer.parent, answer.parent.parent):
        part.chmod(0o755 if part.is_dir() else 0o644)
    yield answer
    shutil.rmtree(folder)
    with contextlib.suppress(OSError):
        base.rmdir()


async def test_a_secret_answer_outside_the_hidden_paths_is_unreadable(
    api: Api, client: TestClient, data_copy: Path
) -> None:
    require(app_judge(client), "allow-list root")
    alice, ts = await one_team(api)
    verdicts = Verdicts(client)
    include = f'#include "{data_copy}"\nint main() {{ return 0; }}\n'.encode()
    run = await submit(client, alice, ts, include, compiler="gcc_cpp20")
    final = await verdicts.final(run)
    log = (await full(client, alice, ts, run))["compileLog"]
    assert final["verdict"] == "CompilationError"
    assert "leaked_answer_271828" not in log and "No such file" in log
    reader = (
        f"a, b = map(int, input().split())\ntry:\n    print(open({str(data_copy)!r}).read())\n"
        "except OSError:\n    print(a + b)\n"
    )
    run = await submit(client, alice, ts, reader.encode())
    assert (await verdicts.final(run))["verdict"] == "OK"


DAEMON = b"""
import os, time
a, b = map(int, input().split())
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)
print(a + b)
"""


async def test_nothing_is_left_running_after_a_verdict(
    api: Api, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    judge = app_judge(client)
    require(judge, "uid switch")
    uids = leased_uids(monkeypatch, judge)
    alice, ts = await one_team(api)
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, DAEMON)
    assert (await verdicts.final(run))["verdict"] == "OK"
    assert uids and await wait_no_processes(uids) == []
    assert run_leaves(judge) == []  # every run's cgroup is gone


# 0.3 s of CPU and 24 MiB touched, then asleep until the wall clock stops it.
SLEEPER = b"""
import time
data = bytearray(24 << 20)
for i in range(0, len(data), 4096):
    data[i] = 1
start = time.process_time()
while time.process_time() - start < 0.3:
    pass
time.sleep(60)
"""


async def test_a_run_killed_at_the_wall_clock_reports_its_real_time_and_memory(api: Api, client: TestClient) -> None:
    require(app_judge(client), "cgroups")
    alice, ts = await one_team(api)
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, SLEEPER)
    final = await verdicts.final(run)
    assert final["verdict"] == "IdlenessLimitExceeded"
    assert 250 <= final["time"] < LIMIT_MS
    assert final["memory"] >= 24 << 20
