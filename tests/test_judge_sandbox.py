"""Hostile programs against the judge's sandbox: processes, network, files, cgroups, fallbacks."""

import ast
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.judge import Judge, JudgeError, sandbox, verdicts
from server.judge.judge import run_limits
from server.judge.launcher import Probe
from server.judge.types import ValidatorSource

from .support.judge import (
    MIB,
    ROOT,
    judge_fixture,
    leased_uids,
    make_tests,
    needs_root,
    open_judge,
    require,
    run_leaves,
    spawn,
    task,
    wait_no_processes,
    wait_process,
)
from .test_judge_validators import CPP_VALIDATOR, HALVES, OFF_BY_ONE, summand_tests
from .test_judge_validators import task as validator_task

TIME = 0.5
REPO = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin") or "/usr/bin/python3"


judge = judge_fixture()


def test_isolation_is_described(judge: Judge) -> None:
    assert judge.isolation
    if ROOT:
        # As root on this kind of machine every layer is active, and the log line says so.
        assert judge.layers.missing == [], judge._sandbox.failures
        assert judge.readiness.level == "full" and judge.ready
        for words in ("cgroup v", "seccomp filter", "no network", "allow-list root", "own PID namespace"):
            assert words in judge.isolation


@needs_root
async def test_runs_unprivileged(judge: Judge, tmp_path: Path) -> None:
    tests = make_tests(tmp_path, [("", "0\n")])
    source = "import os\nprint(int(os.getuid() == 0 or os.geteuid() == 0 or os.getgid() == 0))\n"
    assert (await judge.judge(task(source, "python3_docker", tests))).verdict == verdicts.OK


async def test_fork_bomb_is_contained(judge: Judge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require(judge, "namespaces")
    uids = leased_uids(monkeypatch, judge)
    tests = make_tests(tmp_path, [("", "0\n")])
    source = "#include <unistd.h>\nint main(void) { for (;;) fork(); }\n"
    start = time.monotonic()
    report = await judge.judge(task(source, "gcc_c17", tests))
    assert report.verdict != verdicts.OK
    assert time.monotonic() - start < 3 * TIME + 1 + 3  # wall limit plus the compile
    if ROOT:
        assert await wait_no_processes(uids) == []
    assert await spawn("true") == (0, b"")  # the machine still forks


DAEMON = """\
import os, time
if os.fork() == 0:
    os.setsid()
    time.sleep(30)
    os._exit(0)
print(0)
"""


@needs_root
async def test_escaped_daemon_is_killed(judge: Judge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The child leaves the process group and outlives its parent.
    uids = leased_uids(monkeypatch, judge)
    tests = make_tests(tmp_path, [("", "0\n")])
    assert (await judge.judge(task(DAEMON, "python3_docker", tests))).verdict == verdicts.OK
    assert uids and await wait_no_processes(uids) == []


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    yield sock
    sock.close()


CONNECT = """\
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
    print("connected")
except OSError:
    print("blocked")
"""


async def test_network_is_unreachable(judge: Judge, tmp_path: Path, listener: socket.socket) -> None:
    require(judge, "namespaces")
    source = CONNECT.format(port=listener.getsockname()[1])
    # Control: outside the sandbox the same program does connect.
    assert await spawn(sys.executable, "-c", source) == (0, b"connected\n")
    listener.accept()[0].close()

    tests = make_tests(tmp_path, [("", "connected\n")])
    report = await judge.judge(task(source, "python3_docker", tests, time_limit=2))
    assert report.verdict == verdicts.WRONG_ANSWER  # it printed "blocked"
    with pytest.raises(BlockingIOError):
        listener.accept()


PROBE_FILES = """\
out = []
try:
    with open({secret!r}) as f:
        out.append("read:" + f.read().strip())
except OSError:
    out.append("noread")
try:
    with open({beside!r}, "w") as f:
        f.write("pwned")
    out.append("wrote")
except OSError:
    out.append("nowrite")
print(" ".join(out))
"""


_SANDBOX_PRIVATE = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/run"))


def _reachable_outside_tmp(folder: Path) -> bool:
    """True when every existing ancestor lets others through and none is replaced inside the sandbox."""
    folder = folder.resolve()
    if any(folder.is_relative_to(p) for p in _SANDBOX_PRIVATE):
        return False
    return all(os.stat(a).st_mode & 0o001 for a in folder.parents if a.exists())


@pytest.fixture
def outside_tmp() -> Iterator[Path]:
    """A world-traversable folder outside /tmp (which the sandbox replaces anyway).

    The repository's var/ when the checkout allows it; a CI clone may live under /tmp or a 0700
    home folder, where the sandbox user could not reach it even unprotected, so fall back to /var/lib.
    """
    base = next((b for b in (REPO / "var", Path("/var/lib/team-trainer-tests")) if _reachable_outside_tmp(b)), None)
    if base is None:
        pytest.skip("no world-traversable folder outside /tmp")
    try:
        base.mkdir(exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="judge-test-", dir=base))
    except PermissionError:
        pytest.skip(f"cannot write to {base}")
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)
    with contextlib.suppress(OSError):  # leave no empty folder behind
        base.rmdir()


async def test_protected_folder_in_tmp(judge: Judge, tmp_path: Path) -> None:
    require(judge, "namespaces")
    data = tmp_path / "db"
    data.mkdir()
    secret = data / "trainer.db"
    secret.write_text("top secret")
    secret.chmod(0o600)
    tests = make_tests(tmp_path / "tests", [("", "noread nowrite\n")])
    source = PROBE_FILES.format(secret=str(secret), beside=str(data / "new.txt"))
    with open_judge(tmp_path / "work", protected_paths=[data]) as guarded:
        assert (await guarded.judge(task(source, "python3_docker", tests))).verdict == verdicts.OK
    assert secret.read_text() == "top secret"
    assert sorted(os.listdir(data)) == ["trainer.db"]


def world_writable_secret(outside_tmp: Path) -> tuple[Path, Path, str]:
    """A world-writable folder holding a world-readable "42" (data, secret) and the probe that tries both."""
    data = outside_tmp / "data"
    data.mkdir()
    data.chmod(0o777)
    secret = data / "secret.ans"
    secret.write_text("42")
    secret.chmod(0o666)
    return data, secret, PROBE_FILES.format(secret=str(secret), beside=str(data / "new.txt"))


async def test_data_outside_the_allow_list_is_invisible(judge: Judge, outside_tmp: Path, tmp_path: Path) -> None:
    # A world-readable, world-writable copy of test data that nobody listed as protected.
    require(judge, "allow-list root")
    data, secret, source = world_writable_secret(outside_tmp)

    # Control: permissions alone would let an unprivileged user in.
    probe = await asyncio.to_thread(
        subprocess.run,
        [SYSTEM_PYTHON, "-c", source],
        user=60000,
        group=65534,
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    if ROOT:
        assert probe.stdout == "read:42 wrote\n", probe.stderr
        (data / "new.txt").unlink()

    tests = make_tests(tmp_path / "closed", [("", "noread nowrite\n")])
    assert (await judge.judge(task(source, "python3_docker", tests))).verdict == verdicts.OK
    assert secret.read_text() == "42"
    assert sorted(os.listdir(data)) == ["secret.ans"]


async def test_protected_folder_is_hidden_even_when_world_writable(
    judge: Judge, outside_tmp: Path, tmp_path: Path
) -> None:
    require(judge, "namespaces")
    data, secret, source = world_writable_secret(outside_tmp)
    tests = make_tests(tmp_path / "closed", [("", "noread nowrite\n")])
    with open_judge(tmp_path / "work2", protected_paths=[data]) as guarded:
        assert (await guarded.judge(task(source, "python3_docker", tests))).verdict == verdicts.OK
    assert secret.read_text() == "42"
    assert sorted(os.listdir(data)) == ["secret.ans"]


ROOT_LISTING = """\
import os
print((sorted(os.listdir("/")), sorted(os.listdir("/dev")), os.path.exists("/dev/fuse"), sorted(os.listdir("/etc"))))
"""


async def test_the_root_holds_only_the_allow_list(judge: Judge, tmp_path: Path) -> None:
    require(judge, "allow-list root")
    top, dev, fuse, etc = ast.literal_eval(await _run_and_capture(judge, ROOT_LISTING, tmp_path))
    assert set(top) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr"}
    assert {"usr", "tmp", "proc", "dev", "etc"} <= set(top)
    assert set(dev) == {"fd", "null", "random", "shm", "stderr", "stdin", "stdout", "urandom", "zero"}
    assert fuse is False
    assert {"passwd", "group", "ld.so.cache"} <= set(etc) and "shadow" not in etc


async def _run_and_capture(judge: Judge, source: str, tmp_path: Path) -> str:
    """Run a program once in the sandbox and return its output (via the judge's own runner)."""
    box = tmp_path / "capture-box"
    box.mkdir(mode=0o755)
    (box / "sol.py").write_text(source)
    out = tmp_path / "capture.out"
    out.touch()
    with judge._sandbox.lease() as lease:
        result = await judge._sandbox.run(
            [SYSTEM_PYTHON, "-B", "-s", "-E", "sol.py"],
            workdir=box,
            limits=run_limits(2, 64 * MIB),
            lease=lease,
            stdin=None,
            stdout=out,
        )
    assert result.success, result
    return out.read_text()


async def test_protected_single_file(judge: Judge, outside_tmp: Path, tmp_path: Path) -> None:
    # A protected path may be a file (the database itself): it is covered by a
    # read-only, nodev /dev/null, so it cannot even be opened.
    require(judge, "namespaces")
    db = outside_tmp / "trainer.db"
    db.write_text("rows")
    db.chmod(0o666)
    source = (
        "try:\n    data = open(PATH).read()\nexcept OSError:\n    data = 'denied'\n"
        "try:\n    open(PATH, 'w').write('pwned')\n    wrote = 'wrote'\nexcept OSError:\n    wrote = 'nowrite'\n"
        "print(repr(data), wrote)\n"
    ).replace("PATH", repr(str(db)))
    tests = make_tests(tmp_path / "t", [("", "'denied' nowrite\n")])
    with open_judge(tmp_path / "work", protected_paths=[db]) as guarded:
        assert (await guarded.judge(task(source, "python3_docker", tests))).verdict == verdicts.OK
    assert db.read_text() == "rows"


async def test_compiler_cannot_include_protected_files(judge: Judge, outside_tmp: Path, tmp_path: Path) -> None:
    require(judge, "namespaces")
    secret = outside_tmp / "secret.h"
    secret.write_text("int leaked_token_4711 = ;\n")
    secret.chmod(0o644)
    tests = make_tests(tmp_path / "t", [("", "0\n")])
    with open_judge(tmp_path / "work", protected_paths=[outside_tmp]) as guarded:
        report = await guarded.judge(task(f'#include "{secret}"\nint main() {{ return 0; }}\n', "gcc_cpp20", tests))
    assert report.verdict == verdicts.COMPILATION_ERROR
    assert "leaked_token_4711" not in report.compile_log
    assert "No such file" in report.compile_log or "Permission denied" in report.compile_log


async def test_compiler_cannot_include_unprotected_data(judge: Judge, outside_tmp: Path, tmp_path: Path) -> None:
    # Any copy of the data anywhere outside the toolchains' folders, protected or not.
    require(judge, "allow-list root")
    secret = outside_tmp / "data" / "secret" / "02.ans"
    secret.parent.mkdir(parents=True)
    secret.write_text("int leaked_token_4712 = ;\n")
    secret.chmod(0o644)
    tests = make_tests(tmp_path / "t", [("", "0\n")])
    report = await judge.judge(task(f'#include "{secret}"\nint main() {{ return 0; }}\n', "gcc_cpp20", tests))
    assert report.verdict == verdicts.COMPILATION_ERROR
    assert "leaked_token_4712" not in report.compile_log
    assert "No such file" in report.compile_log
    # Nothing of the host's layout leaks into the log: only the path the submission itself wrote.
    assert str(tmp_path) not in report.compile_log and "/tmp/box" not in report.compile_log.replace("sol.cpp", "")


@needs_root
async def test_scratch_space_is_private_per_test(judge: Judge, tmp_path: Path) -> None:
    # A program may use /tmp but can neither keep state between tests nor
    # write next to its own binary.
    source = (
        "import os\n"
        "seen = os.path.exists('/tmp/mark')\n"
        "open('/tmp/mark', 'w').write('x')\n"
        "try:\n    open('here.txt', 'w').write('x')\n    wrote = 'wrote'\n"
        "except OSError:\n    wrote = 'nowrite'\n"
        "print('seen' if seen else 'fresh', wrote)\n"
    )
    tests = make_tests(tmp_path, [("", "fresh nowrite\n"), ("", "fresh nowrite\n")])
    report = await judge.judge(task(source, "python3_docker", tests))
    assert report.verdict == verdicts.OK, report


@needs_root
async def test_other_submissions_are_invisible(judge: Judge, tmp_path: Path) -> None:
    require(judge, "namespaces")
    # The work root holds every submission's folder; the program sees only its own.
    source = "import os\nprint(sorted(os.listdir('.')), os.getcwd())\n"
    tests = make_tests(tmp_path, [("", "['sol.py'] /tmp/box\n")])
    assert (await judge.judge(task(source, "python3_docker", tests))).verdict == verdicts.OK


async def test_concurrent_submissions(judge: Judge, tmp_path: Path) -> None:
    tests = make_tests(tmp_path, [("2 3\n", "5\n")] * 3)
    source = "a, b = map(int, input().split())\nprint(a + b)\n"
    reports = await asyncio.gather(*(judge.judge(task(source, "python3_docker", tests)) for _ in range(4)))
    assert [r.verdict for r in reports] == [verdicts.OK] * 4


@needs_root
async def test_cancelled_judging_kills_the_program(
    judge: Judge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uids = leased_uids(monkeypatch, judge)
    tests = make_tests(tmp_path, [("", "0\n")])
    job = asyncio.create_task(judge.judge(task("import time\ntime.sleep(60)\n", "python3_docker", tests, 5)))
    running = b"-E\0sol.py\0"  # the test run, not the syntax check
    assert await wait_process(uids, running), "the program never started"
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    assert await wait_no_processes(uids) == []
    assert run_leaves(judge) == []  # the run's cgroup went with it


async def test_fallback_without_namespaces(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # Pretend the kernel refused every namespace: the judge must still work,
    # say so, and (as root) still clean up what the program left running.
    monkeypatch.setattr(sandbox, "probe", lambda launcher: Probe(os.geteuid(), False, False, False, False, False))
    if ROOT:
        with pytest.raises(JudgeError, match="traversable"):
            Judge(tmp_path / "work", isolation="weak")  # pytest's folders are private to root
    work = Path(tempfile.mkdtemp(prefix="tt-judge-test-"))
    os.chmod(work, 0o711)
    request.addfinalizer(lambda: shutil.rmtree(work))
    # The default policy refuses to judge like this; JUDGE_ISOLATION=weak allows it.
    refused = Judge(work)
    assert not refused.ready and "namespaces" in refused.readiness.missing
    with pytest.raises(JudgeError, match="JUDGE_ISOLATION=weak"):
        await refused.judge(task("print(1)\n", "python3_docker", []))
    refused.close()
    bare = Judge(work, isolation="weak")
    request.addfinalizer(bare.close)
    uids = leased_uids(monkeypatch, bare)
    assert bare.ready and bare.readiness.level == "weak"
    assert "NETWORK NOT ISOLATED" in bare.isolation
    assert "PROTECTED PATHS NOT HIDDEN" in bare.isolation
    assert "NO SECCOMP FILTER" in bare.isolation
    tests = make_tests(tmp_path / "t", [("2 3\n", "5\n")])
    source = "a, b = map(int, input().split())\nprint(a + b)\n"
    assert (await bare.judge(task(source, "python3_docker", tests))).verdict == verdicts.OK
    busy = "while True:\n    pass\n"
    assert (await bare.judge(task(busy, "python3_docker", tests))).verdict == verdicts.TIME_LIMIT_EXCEEDED
    if ROOT:
        tests = make_tests(tmp_path / "d", [("", "0\n")])
        assert (await bare.judge(task(DAEMON, "python3_docker", tests))).verdict == verdicts.OK
        assert uids and await wait_no_processes(uids) == []
        # A problem's validator (its own uid) reaches its folders by their real paths, scripts included.
        scripted = tmp_path / "scripted"
        scripted.mkdir()
        shutil.copy(CPP_VALIDATOR.folder / "validate.cpp", scripted)
        (scripted / "build").write_text("g++ -O2 -o validate validate.cpp\n")
        (scripted / "run").write_text('exec ./validate "$@"\n')
        for validator in (CPP_VALIDATOR, ValidatorSource(scripted, "kattis", None, time_limit=2)):
            for source, verdict in ((HALVES, verdicts.OK), (OFF_BY_ONE, verdicts.WRONG_ANSWER)):
                report = await bare.judge(validator_task(source, validator, summand_tests()))
                assert report.verdict == verdict, report


@needs_root
def test_uid_leases_are_exclusive_across_judges(judge: Judge, tmp_path: Path) -> None:
    # Two judges (here in one process, as well as across processes) must never
    # hand the same sandbox uid to two submissions running at once.
    with open_judge(tmp_path / "work") as other:
        with judge._sandbox.user() as first, other._sandbox.user() as second, judge._sandbox.user() as third:
            assert len({first, second, third}) == 3
        with other._sandbox.user() as again:
            assert again == first  # released on exit


def shm_segments() -> dict[int, int]:
    """SysV shared memory segments on the host: id to owner uid."""
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return {int(line.split()[1]): int(line.split()[7]) for line in lines}


SHM_LEAK = """\
#include <stdio.h>
#include <string.h>
#include <sys/shm.h>
int main(void) {
    int id = shmget(IPC_PRIVATE, 8 << 20, IPC_CREAT | 0600);
    char *p = shmat(id, NULL, 0);
    memset(p, 1, 8 << 20);
    printf("%d\\n", id >= 0 && p != (void *)-1);
    return 0;
}
"""


async def test_sysv_shared_memory_does_not_outlive_the_program(
    judge: Judge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A SysV segment outlives its creator; a private IPC namespace frees it.
    require(judge, "namespaces")
    uids = leased_uids(monkeypatch, judge)
    before = shm_segments()
    tests = make_tests(tmp_path, [("", "1\n")])
    assert (await judge.judge(task(SHM_LEAK, "gcc_c17", tests))).verdict == verdicts.OK
    owners = uids if ROOT else {os.getuid()}
    assert owners
    assert [i for i, uid in shm_segments().items() if uid in owners and i not in before] == []


async def test_run_folder_is_hidden(judge: Judge, tmp_path: Path) -> None:
    # Sockets under /run (databases, D-Bus) are reachable without a network.
    require(judge, "namespaces")
    source = "import os\ntry:\n    print(len(os.listdir('/run')))\nexcept OSError:\n    print('hidden')\n"
    tests = make_tests(tmp_path, [("", "hidden\n")])
    assert (await judge.judge(task(source, "python3_docker", tests))).verdict == verdicts.OK
