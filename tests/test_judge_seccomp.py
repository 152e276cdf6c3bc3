"""The launcher's system-call filter: what it refuses to submissions, what it still lets them do."""

import asyncio
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.judge import Judge, verdicts

from .support.judge import ROOT, judge_fixture, make_tests, require, task

# Each line: a call an unprivileged process may normally make, and whether it worked.
# (Calls that need a capability anyway, like mount or reboot, would prove nothing.)
PROBE_C = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

static void show(const char *name, long r) { printf("%s %s\n", name, r < 0 ? strerrorname_np(errno) : "ok"); }
static char stack[65536];
static int child(void *arg) { (void)arg; return 0; }

int main(void) {
    show("unshare_user_net_mnt", unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS));
    show("unshare_user", unshare(CLONE_NEWUSER));
    long pid = clone(child, stack + sizeof stack, CLONE_NEWUSER | SIGCHLD, NULL);
    if (pid > 0) waitpid(pid, NULL, 0);
    show("clone_newuser", pid);
    show("clone3", syscall(SYS_clone3, NULL, 0));
    show("setns", setns(0, CLONE_NEWNET));
    show("keyctl_join", syscall(SYS_keyctl, 1 /* JOIN_SESSION_KEYRING */, "x"));
    show("add_key", syscall(SYS_add_key, "user", "k", "v", 1, -4 /* USER_KEYRING */));
    show("request_key", syscall(SYS_request_key, "user", "k", NULL, 0));
    char buf[8], src[8] = "abc";
    struct iovec l = {buf, 3}, r = {src, 3};
    show("process_vm_readv", process_vm_readv(getpid(), &l, 1, &r, 1, 0));
    struct perf_event_attr pe;
    memset(&pe, 0, sizeof pe);
    pe.size = sizeof pe;
    pe.type = PERF_TYPE_SOFTWARE;
    pe.config = PERF_COUNT_SW_TASK_CLOCK;
    pe.exclude_kernel = 1;
    show("perf_event_open", syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0));
    show("userfaultfd", syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY */));
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    show("io_uring_setup", syscall(SYS_io_uring_setup, 4, &p));
    show("socket_netlink", socket(AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */));
    show("socket_netfilter", socket(AF_NETLINK, SOCK_RAW, 12 /* NETLINK_NETFILTER */));
    show("socket_packet", socket(AF_PACKET, SOCK_DGRAM, 0));
    show("personality_exec", personality(READ_IMPLIES_EXEC));
    struct { unsigned int bytes; int type; unsigned char h[128]; } fh = {128, 0, {0}};
    int mount_id;
    show("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, ".", &fh, &mount_id, 0));
    show("fuse", open("/dev/fuse", O_RDWR));
    /* what programs do need keeps working */
    show("socket_inet", socket(AF_INET, SOCK_STREAM, 0));
    show("socketpair_unix", socketpair(AF_UNIX, SOCK_STREAM, 0, (int[2]){0, 0}));
    show("personality_query", personality(0xffffffff));
    pid = fork();
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid(pid, NULL, 0);
    show("fork", pid);
    /* last: once traced, the next signal would stop us for a tracer that never comes */
    show("ptrace_traceme", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
    return 0;
}
"""

REFUSED = {
    "unshare_user_net_mnt": "EPERM",
    "unshare_user": "EPERM",
    "clone_newuser": "EPERM",
    "clone3": "ENOSYS",  # glibc falls back to clone, whose flags the filter can see
    "setns": "EPERM",
    "keyctl_join": "EPERM",
    "add_key": "EPERM",
    "request_key": "EPERM",
    "process_vm_readv": "EPERM",
    "perf_event_open": "EPERM",
    "userfaultfd": "EPERM",
    "io_uring_setup": "EPERM",
    "socket_netlink": "EAFNOSUPPORT",
    "socket_netfilter": "EAFNOSUPPORT",
    "socket_packet": "EAFNOSUPPORT",
    "personality_exec": "EPERM",
    "name_to_handle_at": "EPERM",
    "fuse": "ENOENT",  # no /dev/fuse in the sandbox at all
}
ALLOWED = {"socket_inet": "ok", "socketpair_unix": "ok", "personality_query": "ok", "fork": "ok"}
LAST = {"ptrace_traceme": "EPERM"}


judge = judge_fixture()


@pytest.fixture
def probe_binary() -> Iterator[Path]:
    """The probe compiled outside the sandbox, in a folder an unprivileged uid can reach, for the control run."""
    with tempfile.TemporaryDirectory(prefix="tt-seccomp-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)
        (folder / "probe.c").write_text(PROBE_C)
        gcc = shutil.which("gcc") or "gcc"
        subprocess.run([gcc, "-O2", "-o", str(folder / "probe"), str(folder / "probe.c")], check=True, timeout=60)
        yield folder / "probe"


def _results(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.strip().splitlines())


async def test_control_outside_the_sandbox_these_calls_work(probe_binary: Path) -> None:
    # So the refusals below are the filter's doing, not missing privileges.
    if not ROOT:
        pytest.skip("the control runs as an unprivileged uid, which needs root to switch to")
    done = await asyncio.to_thread(
        subprocess.run,
        [str(probe_binary)],
        cwd=probe_binary.parent,
        user=60000,
        group=65534,
        capture_output=True,
        text=True,
        timeout=30,
    )
    results = _results(done.stdout)
    # (the first unshare moves it into a namespace where it has no uid mapping: later ones fail there)
    for name in ("unshare_user_net_mnt", "keyctl_join", "add_key", "ptrace_traceme", "process_vm_readv"):
        assert results[name] == "ok", (name, results)
    assert results["socket_netlink"] == "ok" and results["personality_exec"] == "ok"


async def test_the_filter_refuses_what_contest_programs_never_need(judge: Judge, tmp_path: Path) -> None:
    require(judge, "seccomp")
    expected = REFUSED | ALLOWED | LAST
    answer = "".join(f"{name} {result}\n" for name, result in expected.items())
    tests = make_tests(tmp_path, [("", answer)])
    report = await judge.judge(task(PROBE_C, "gcc_c17", tests, time_limit=2))
    assert report.verdict == verdicts.OK, (report, report.compile_log)


async def test_threads_still_work(judge: Judge, tmp_path: Path) -> None:
    # pthread_create is clone(CLONE_THREAD|...) after clone3's ENOSYS: a JVM depends on it.
    source = (
        "#include <pthread.h>\n#include <stdio.h>\n"
        "static void *run(void *a) { return a; }\n"
        "int main(void) { pthread_t t[8]; long s = 0; void *r;\n"
        "  for (long i = 0; i < 8; i++) pthread_create(&t[i], NULL, run, (void *)i);\n"
        "  for (int i = 0; i < 8; i++) { pthread_join(t[i], &r); s += (long)r; }\n"
        '  printf("%ld\\n", s); }\n'
    )
    tests = make_tests(tmp_path, [("", "28\n")])
    assert (await judge.judge(task(source, "gcc_c17", tests))).verdict == verdicts.OK
