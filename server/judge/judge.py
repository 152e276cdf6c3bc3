"""The judge: compile a submission, run its tests in the sandbox, pick the verdict."""

from __future__ import annotations

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
from dataclasses import dataclass
from pathlib import Path

from . import verdicts
from .checker import DefaultValidatorFlags, default_flags, files_match
from .classify import RunLimits, classify, starved, why_stopped
from .compilers import Recipe, find_tools, recipe
from .interactive import Side, converse, interactive_verdict
from .isolation import JudgeUnavailable, Readiness, decide
from .sandbox import Lease, Limits, RunResult, Sandbox
from .types import (
    VALIDATION_DEFAULT,
    VALIDATION_INTERACTIVE,
    VALIDATIONS,
    JudgeError,
    JudgeReport,
    JudgeTask,
    TestCase,
    TestResult,
)
from .validators import Built, Validators, kattis_judgement, validator_limits
from .workspace import Workspace, empty_file, lock_tree, read_head

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


def run_limits(time_limit: float, memory_limit: int, output_limit: int = OUTPUT_LIMIT) -> Limits:
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
        file_size=output_limit,
        processes=PROCESS_LIMIT,
        scratch=64 * MIB,
    )


def _read_tail(path: Path, size: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(max(0, os.fstat(f.fileno()).st_size - size))
        return f.read()


def _check_traversable(folder: Path) -> None:
    for part in (folder, *folder.parents):
        if not part.stat().st_mode & 0o001:
            raise JudgeError(f"judge work root {folder}: {part} must be traversable by others (o+x)")


def _total_size(*paths: Path) -> int:
    return sum(os.stat(p).st_size for p in paths)


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
        validators = self._work.root / "validators"
        # By real path (no mount namespace), a validator's uid must traverse it to its own folder.
        validators.mkdir(mode=0o711 if self._open_path else 0o700)
        os.chmod(validators, 0o711 if self._open_path else 0o700)  # mkdir's mode is masked by the umask
        self._validators = Validators(self._sandbox, validators, self._tools, self.compile_limits)
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
        """Compile and run one submission; raises JudgeError if the judge itself fails (a file error included).

        With `turn`, every sandbox run (the compile, each test) happens inside
        `turn()`, which yields the CPU slot to run on: the service's fair
        scheduler between teams.  Without it, runs go at once, on the least
        busy slot.
        """
        if not self.ready:
            raise JudgeUnavailable(self.readiness.reason)
        if task.validation not in VALIDATIONS:
            raise JudgeError(f"unknown validation {task.validation!r}")
        if task.validation != VALIDATION_DEFAULT and task.validator is None:
            raise JudgeError(f"validation {task.validation!r} needs the problem's validator")
        try:
            how = recipe(task.compiler, self._tools, task.source, task.memory_limit)
        except KeyError as missing:
            raise JudgeError(f"{missing} is not installed for {task.compiler}") from None
        # The problem's validator runs as a uid of its own: the submission can never touch it.
        validator_user = self._sandbox.user() if task.validator is not None else contextlib.nullcontext(None)
        with self._sandbox.lease() as lease, validator_user as validator_uid:
            folder = Path(tempfile.mkdtemp(prefix="sub-", dir=self._work.root))
            try:
                if self._open_path:
                    os.chmod(folder, 0o711)
                run = _Submission(folder, how, task, lease, Lease(validator_uid, lease.slot), turn)
                return await self._judge_in(run)
            except OSError as exc:
                # A file the judge needs is gone or unreadable (a contest replaced while its submissions
                # are judged, a full disk): the judge failed, not the program.  Named without its folder.
                name = f": {Path(exc.filename).name}" if exc.filename else ""
                raise JudgeError(f"{exc.strerror or type(exc).__name__}{name}") from exc
            finally:
                await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)

    @contextlib.asynccontextmanager
    async def _turn(self, lease: Lease, turn: Turn | None) -> AsyncIterator[Lease]:
        if turn is None:
            yield lease
            return
        async with turn() as slot:
            yield dataclasses.replace(lease, slot=slot % self._sandbox.slots)

    async def _judge_in(self, run: _Submission) -> JudgeReport:
        task, how = run.task, run.how
        if task.validator is not None:
            async with self._turn(run.validator_lease, run.turn) as lease:
                run.built = await self._validators.build(task.validator, lease)
        box = run.folder / "box"
        box.mkdir(mode=0o755)
        (box / how.source_name).write_bytes(task.source)
        async with self._turn(run.lease, run.turn) as lease:
            ok, log_text = await self._compile(box, how, lease)
        if not ok:
            return JudgeReport(verdicts.COMPILATION_ERROR, log_text)
        report = JudgeReport(verdicts.OK, log_text)
        retried = False
        number = 0
        while number < len(task.tests):
            test = task.tests[number]
            result, verdict, message = await self._test(run, box, test, number + 1)
            if not retried and starved(result, run.judged):
                # The machine, not the program, ran out of CPU: run this test once more.
                log.warning(
                    "test %s starved (%d ms run, %d ms waiting): run again", test.name, result.cpu_ms, result.wait_ms
                )
                retried = True
                continue
            number += 1
            report.tests.append(TestResult(number, test.name, verdict, result.cpu_ms, result.peak_rss, message))
            report.time = max(report.time, result.cpu_ms)
            report.memory = max(report.memory, result.peak_rss)
            if verdict != verdicts.OK:
                report.verdict, report.failed_test = verdict, number
                if verdict == verdicts.JUDGE_ERROR:
                    report.judge_error = f"test {test.name}: {message}"
                break
        return report

    async def _test(self, run: _Submission, box: Path, test: TestCase, number: int) -> tuple[RunResult, str, str]:
        """Run one test: (the submission's measurements, the verdict, the validator's message)."""
        out, err = run.folder / "out", run.folder / "err"
        empty_file(out)
        empty_file(err)
        if run.task.validation == VALIDATION_INTERACTIVE:
            return await self._interactive_test(run, box, test, number, err)
        stdin = test.input_path
        if self._sandbox.copies_input:
            stdin = run.folder / "in"
            await asyncio.to_thread(shutil.copyfile, test.input_path, stdin)
        async with self._turn(run.lease, run.turn) as lease:
            result = await self._sandbox.run(
                run.how.run_argv, workdir=box, limits=run.limits, lease=lease, stdin=stdin, stdout=out, stderr=err
            )
        verdict = classify(result, run.judged, out.stat().st_size, _read_tail(err, STDERR_TAIL))
        if verdict is not None:
            return result, verdict, ""
        if run.built is None:
            flags = default_flags(test.validator_flags)
            same = await self._compare(out, test.answer_path, flags)
            return result, verdicts.OK if same else verdicts.WRONG_ANSWER, ""
        folder = run.folder / f"validate-{number}"
        await self._validators.prepare_folder(folder, run.validator_lease)
        async with self._turn(run.validator_lease, run.turn) as lease:
            judgement = await self._validators.check(
                run.built,
                lease,
                run_folder=folder,
                test_input=test.input_path,
                answer=test.answer_path,
                output=out,
                flags=test.validator_flags,
            )
        return result, judgement.verdict, judgement.message

    async def _interactive_test(
        self, run: _Submission, box: Path, test: TestCase, number: int, err: Path
    ) -> tuple[RunResult, str, str]:
        assert run.built is not None  # checked in judge()
        folder = run.folder / f"validate-{number}"
        await self._validators.prepare_folder(folder, run.validator_lease)
        argv, binds = await self._validators.command(
            run.built, folder, test.input_path, test.answer_path, test.validator_flags
        )
        validator_err = run.folder / f"validate-{number}.stderr"
        empty_file(validator_err)
        limits = validator_limits(run.built.source, wall_at_least=run.limits.wall_time + 1)
        async with self._turn(run.lease, run.turn) as lease:
            exchange = await converse(
                self._sandbox,
                Side(run.how.run_argv, box, run.limits, lease, err),
                Side(
                    argv,
                    folder,
                    limits,
                    dataclasses.replace(run.validator_lease, slot=lease.slot),
                    validator_err,
                    binds,
                ),
            )
        tail = _read_tail(err, STDERR_TAIL)
        own = classify(exchange.submission, run.judged, 0, tail)
        judgement = kattis_judgement(exchange.validator, limits, self._validators.message(folder, validator_err))
        return exchange.submission, interactive_verdict(exchange, own, judgement, tail), judgement.message

    async def _compile(self, box: Path, how: Recipe, lease: Lease) -> tuple[bool, str]:
        log_path = box.parent / "compile.log"
        empty_file(log_path)
        if lease.uid is not None:
            os.chown(box, lease.uid, self._sandbox.gid)  # the compiler writes ./prog
        limits = self.compile_limits
        if how.compile_cpu is not None and how.compile_cpu > limits.cpu_time:
            limits = dataclasses.replace(limits, cpu_time=how.compile_cpu, wall_time=how.compile_cpu * 1.5)
        if not how.address_space_cap:  # javac and kotlinc are JVMs too
            limits = dataclasses.replace(limits, address_space=-1)
        result = await self._sandbox.run(
            how.compile_argv,
            workdir=box,
            limits=limits,
            lease=lease,
            stdin=None,
            stdout=log_path,
            stderr=log_path,
        )
        if lease.uid is not None:
            # Back to root and read-only for the runs: the program must not be able to leave
            # files for its next test or rewrite its own binary.
            lock_tree(box, 0, 0)
        built = how.executable is None or (box / how.executable).is_file()
        ok = result.success and not result.timed_out and built
        stopped = None if ok else why_stopped(result, limits)
        return ok, read_head(log_path, COMPILE_LOG_LIMIT) + (f"\nCompilation {stopped}" if stopped else "")

    @staticmethod
    async def _compare(out: Path, answer: Path, flags: DefaultValidatorFlags) -> bool:
        if _total_size(out, answer) <= INLINE_COMPARE:
            return files_match(out, answer, flags)
        return await asyncio.to_thread(files_match, out, answer, flags)


def _close(sandbox: Sandbox, work: Workspace) -> None:
    sandbox.close()
    work.close()


@dataclass
class _Submission:
    """One submission being judged: its folder, recipe, leases, limits and (once built) validator."""

    folder: Path
    how: Recipe
    task: JudgeTask
    lease: Lease
    validator_lease: Lease
    turn: Turn | None
    built: Built | None = None

    def __post_init__(self) -> None:
        # A JVM's heap is the problem's limit; the JVM itself gets its overhead on top.
        memory = self.task.memory_limit + self.how.memory_overhead
        output = self.task.output_limit or OUTPUT_LIMIT
        self.limits = run_limits(self.task.time_limit, memory, output)
        if not self.how.address_space_cap:
            self.limits = dataclasses.replace(self.limits, address_space=-1)
        self.judged = RunLimits(math.ceil(self.task.time_limit * 1000 - 1e-9), memory, output)
