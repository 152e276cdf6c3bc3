"""The judge: compile a submission, run its tests in the sandbox, pick the verdict."""

import asyncio
import contextlib
import dataclasses
import logging
import math
import os
import secrets
import shutil
import tempfile
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from . import verdicts
from .checker import files_match
from .classify import RunLimits, classify, starved
from .compilers import Recipe, recipe
from .isolation import JudgeUnavailable, Readiness, decide
from .sandbox import Lease, Limits, RunResult, Sandbox
from .types import JudgeError, JudgeReport, JudgeTask, TestResult
from .workspace import Workspace

log = logging.getLogger(__name__)

# A turn to run in the sandbox, granted by the caller's scheduler: yields the CPU slot to use.
Turn = Callable[[], AbstractAsyncContextManager[int]]

MIB = 1 << 20
OUTPUT_LIMIT = 64 * MIB
COMPILE_LOG_LIMIT = 64 * 1024
STDERR_TAIL = 4096
PROCESS_LIMIT = 64
# Outputs up to this size are compared on the event loop; a thread hop costs more.
INLINE_COMPARE = 1 * MIB
# A contest compiler run: a template or constexpr bomb, or #include "/dev/random",
# ends in seconds, not minutes, and cannot take the machine's memory.
COMPILE_LIMITS = Limits(
    cpu_time=10.0,
    wall_time=15.0,
    memory=1024 * MIB,  # cc1plus on heavy templates needs room; javac and kotlinc too
    address_space=2048 * MIB,
    stack=64 * MIB,
    file_size=256 * MIB,
    processes=256,  # the JVM compilers run a few dozen threads
    scratch=256 * MIB,
)


def run_limits(time_limit: float, memory_limit: int) -> Limits:
    """Enforcement limits for one test run of a problem."""
    return Limits(
        cpu_time=time_limit,
        wall_time=3 * time_limit + 1,
        memory=memory_limit,  # the cgroup's cap on the whole tree: over it is an OOM kill
        # Without cgroups the only cap is per process; the verdict then uses
        # peak RSS.  Twice the limit leaves room for reserved-but-untouched
        # memory (vector growth, allocator arenas).
        address_space=2 * memory_limit + 64 * MIB,
        stack=max(memory_limit, 8 * MIB),  # deep recursion is normal in ICPC
        file_size=OUTPUT_LIMIT,
        processes=PROCESS_LIMIT,
        scratch=64 * MIB,
    )


def find_tools() -> dict[str, str]:
    """Absolute paths of the compilers and interpreter, system ones first."""
    system = "/usr/bin:/bin:/usr/local/bin"
    tools = {name: shutil.which(name, path=system) for name in ("gcc", "g++")}
    # The system CPython, never the server's virtualenv.
    tools["python3"] = shutil.which("python3", path=system)
    return {name: path for name, path in tools.items() if path}


def _read_head(path: Path, limit: int) -> str:
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    text = data[:limit].decode(errors="replace")
    return text + "\n... (truncated)" if len(data) > limit else text


def _read_tail(path: Path, size: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(max(0, os.fstat(f.fileno()).st_size - size))
        return f.read()


def _empty(path: Path) -> None:
    # Owner-only: outputs of other submissions are nobody else's business.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))


def _check_traversable(folder: Path) -> None:
    for part in (folder, *folder.parents):
        if not part.stat().st_mode & 0o001:
            raise JudgeError(f"judge work root {folder}: {part} must be traversable by others (o+x)")


def _total_size(*paths: Path) -> int:
    return sum(os.stat(p).st_size for p in paths)


def _compile_note(result: RunResult, limits: Limits) -> str:
    """Why the compiler stopped, when the sandbox stopped it."""
    if result.timed_out or result.cpu_ms > limits.cpu_time * 1000:
        return f"\nCompilation time limit exceeded ({limits.cpu_time:g} s of CPU, {limits.wall_time:g} s in all)"
    if result.oom_kills or (result.accounted and result.peak_rss >= limits.memory):
        return f"\nCompilation memory limit exceeded ({limits.memory // MIB} MiB)"
    if result.signal is not None:
        return f"\nCompiler killed by signal {result.signal}"
    return ""


class Judge:
    """Judges submissions one test at a time in the sandbox; safe to call concurrently."""

    def __init__(
        self,
        work_root: Path | None = None,
        protected_paths: Sequence[Path] = (),
        *,
        cache_dir: Path | None = None,
        workers: int = 2,
        isolation: str = "auto",
        compile_limits: Limits = COMPILE_LIMITS,
    ) -> None:
        # Blocking (builds and probes the launcher, sets up cgroups): construct
        # before serving, or in a thread.  Raises JudgeUnavailable when
        # isolation="strict" and a layer is missing.
        self.instance = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.compile_limits = compile_limits
        work_root = Path(work_root) if work_root is not None else Path(tempfile.gettempdir())
        self._work = Workspace(work_root, self.instance)
        self._tools = find_tools()
        try:
            # The work root is hidden too, so a program cannot see the submissions
            # judged next to it; its own folder stays reachable as /tmp/box.
            self._sandbox = Sandbox(
                [*protected_paths, work_root],
                cache_dir,
                instance=self.instance,
                workers=workers,
                scratch=self._work.root,
                tools=list(self._tools.values()),
            )
        except BaseException:
            self._work.close()
            raise
        self._finalizer = weakref.finalize(self, _close, self._sandbox, self._work)
        # Without a mount namespace the program reaches its folder by the real
        # path (CPython opens its script by absolute path), so the sandbox
        # user must be able to traverse every folder above it.
        self._open_path = self._sandbox.root and not self._sandbox.private_mounts
        if self._open_path:
            os.chmod(self._work.root, 0o711)
            try:
                _check_traversable(self._work.root.resolve())
            except JudgeError:
                self.close()
                raise
        self.isolation: str = self._sandbox.isolation
        self.layers = self._sandbox.layers
        try:
            self.readiness: Readiness = decide(isolation, self.layers.missing)
        except JudgeUnavailable:
            self.close()
            raise

    @property
    def ready(self) -> bool:
        """Whether this judge judges (JUDGE_ISOLATION allows the layers it has)."""
        return self.readiness.ready

    def close(self) -> None:
        """Remove this instance's cgroups and work folder (also done when it is collected)."""
        self._finalizer()

    async def judge(self, task: JudgeTask, turn: Turn | None = None) -> JudgeReport:
        """Compile and run one submission; raises JudgeError if the judge itself fails.

        With `turn`, every sandbox run (the compile, each test) happens inside
        `turn()`, which yields the CPU slot to run on: the service's fair
        scheduler between teams.  Without it, runs go at once, on the least
        busy slot.
        """
        if not self.ready:
            raise JudgeUnavailable(self.readiness.reason)
        try:
            how = recipe(task.compiler, self._tools)
        except KeyError as missing:
            raise JudgeError(f"{missing} is not installed for {task.compiler}") from None
        with self._sandbox.lease() as lease:
            folder = Path(tempfile.mkdtemp(prefix="sub-", dir=self._work.root))
            try:
                if self._open_path:
                    os.chmod(folder, 0o711)
                return await self._judge_in(folder, how, task, lease, turn)
            finally:
                await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)

    @contextlib.asynccontextmanager
    async def _run_lease(self, lease: Lease, turn: Turn | None) -> AsyncIterator[Lease]:
        if turn is None:
            yield lease
            return
        async with turn() as slot:
            yield dataclasses.replace(lease, slot=slot % self._sandbox.slots)

    async def _judge_in(
        self, folder: Path, how: Recipe, task: JudgeTask, lease: Lease, turn: Turn | None
    ) -> JudgeReport:
        box = folder / "box"
        box.mkdir(mode=0o755)
        (box / how.source_name).write_bytes(task.source)
        async with self._run_lease(lease, turn) as run_lease:
            ok, log_text = await self._compile(box, how, run_lease)
        if not ok:
            return JudgeReport(verdicts.COMPILATION_ERROR, log_text)
        report = JudgeReport(verdicts.OK, log_text)
        limits = run_limits(task.time_limit, task.memory_limit)
        judged = RunLimits(math.ceil(task.time_limit * 1000 - 1e-9), task.memory_limit, OUTPUT_LIMIT)
        out, err, copy = folder / "out", folder / "err", folder / "in"
        retried = False
        number = 0
        while number < len(task.tests):
            test = task.tests[number]
            _empty(out)
            _empty(err)
            stdin = test.input_path
            if self._sandbox.copies_input:
                await asyncio.to_thread(shutil.copyfile, stdin, copy)
                stdin = copy
            async with self._run_lease(lease, turn) as run_lease:
                result = await self._sandbox.run(
                    how.run_argv, workdir=box, limits=limits, lease=run_lease, stdin=stdin, stdout=out, stderr=err
                )
            if not retried and starved(result, judged):
                # The machine, not the program, ran out of CPU: run this test once more.
                log.warning(
                    "test %s starved of CPU (%d ms run, %d ms waiting): run again",
                    test.name,
                    result.cpu_ms,
                    result.wait_ms,
                )
                retried = True
                continue
            verdict = classify(result, judged, out.stat().st_size, _read_tail(err, STDERR_TAIL))
            if verdict is None:
                same = await self._compare(out, test.answer_path, task.float_tolerance)
                verdict = verdicts.OK if same else verdicts.WRONG_ANSWER
            number += 1
            report.tests.append(TestResult(number, test.name, verdict, result.cpu_ms, result.peak_rss))
            report.time = max(report.time, result.cpu_ms)
            report.memory = max(report.memory, result.peak_rss)
            if verdict != verdicts.OK:
                report.verdict, report.failed_test = verdict, number
                break
        return report

    async def _compile(self, box: Path, how: Recipe, lease: Lease) -> tuple[bool, str]:
        log_path = box.parent / "compile.log"
        _empty(log_path)
        if lease.uid is not None:
            os.chown(box, lease.uid, self._sandbox.gid)  # the compiler writes ./prog
        result = await self._sandbox.run(
            how.compile_argv,
            workdir=box,
            limits=self.compile_limits,
            lease=lease,
            stdin=None,
            stdout=log_path,
            stderr=log_path,
        )
        if lease.uid is not None:
            self._lock_box(box, how.executable)
        built = how.executable is None or (box / how.executable).is_file()
        ok = result.success and not result.timed_out and built
        return ok, _read_head(log_path, COMPILE_LOG_LIMIT) + ("" if ok else _compile_note(result, self.compile_limits))

    @staticmethod
    def _lock_box(box: Path, executable: str | None) -> None:
        # Back to root and read-only for the runs: the program must not be
        # able to leave files for its next test or rewrite its own binary.
        for entry in os.scandir(box):
            os.chown(entry.path, 0, 0, follow_symlinks=False)
            if entry.is_file(follow_symlinks=False):
                os.chmod(entry.path, 0o755 if entry.name == executable else 0o644)
        os.chown(box, 0, 0)
        os.chmod(box, 0o755)

    @staticmethod
    async def _compare(out: Path, answer: Path, float_tolerance: bool) -> bool:
        if _total_size(out, answer) <= INLINE_COMPARE:
            return files_match(out, answer, float_tolerance)
        return await asyncio.to_thread(files_match, out, answer, float_tolerance)


def _close(sandbox: Sandbox, work: Workspace) -> None:
    sandbox.close()
    work.close()
