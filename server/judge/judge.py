"""The judge: compile a submission, run its tests in the sandbox, pick the verdict."""

import asyncio
import fcntl
import math
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from . import verdicts
from .checker import DefaultValidatorFlags, default_flags, files_match
from .classify import RunLimits, classify
from .compilers import Recipe, recipe
from .sandbox import Limits, RunResult, Sandbox
from .types import JudgeError, JudgeReport, JudgeTask, TestResult

MIB = 1 << 20
OUTPUT_LIMIT = 64 * MIB
COMPILE_LOG_LIMIT = 64 * 1024
STDERR_TAIL = 4096
FOLDER_PREFIX = "tt-judge-"
LOCK_NAME = ".lock"
ABANDONED_AFTER = 3600.0  # seconds; for folders that never got their lock
PROCESS_LIMIT = 64
# Outputs up to this size are compared on the event loop; a thread hop costs more.
INLINE_COMPARE = 1 * MIB
COMPILE_LIMITS = Limits(
    cpu_time=30.0,
    wall_time=30.0,
    address_space=2048 * MIB,  # cc1plus on heavy templates needs room
    stack=64 * MIB,
    file_size=256 * MIB,
    processes=PROCESS_LIMIT,
    scratch=256 * MIB,
)


def run_limits(time_limit: float, memory_limit: int) -> Limits:
    """Enforcement limits for one test run of a problem."""
    return Limits(
        cpu_time=time_limit,
        wall_time=3 * time_limit + 1,
        # The cap only protects the machine; the verdict uses peak RSS.  Twice
        # the limit leaves room for reserved-but-untouched memory (vector
        # growth, allocator arenas) while a runaway allocation still fails.
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


def _clear_abandoned(work_root: Path) -> None:
    """Remove submission folders left by a judge that died mid-submission."""
    for folder in work_root.glob(f"{FOLDER_PREFIX}*"):
        try:
            fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            # Died between creating the folder and locking it, or older.
            if time.time() - folder.stat().st_mtime > ABANDONED_AFTER:
                shutil.rmtree(folder, ignore_errors=True)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live judge is using it
        else:
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            os.close(fd)


def _check_traversable(folder: Path) -> None:
    for part in (folder, *folder.parents):
        if not part.stat().st_mode & 0o001:
            raise JudgeError(f"judge work root {folder}: {part} must be traversable by others (o+x)")


def _total_size(*paths: Path) -> int:
    return sum(os.stat(p).st_size for p in paths)


def _compile_note(result: RunResult) -> str:
    if result.timed_out or result.cpu_ms > COMPILE_LIMITS.cpu_time * 1000:
        return f"\nCompilation time limit exceeded ({COMPILE_LIMITS.cpu_time:g} s)"
    if result.signal is not None:
        return f"\nCompiler killed by signal {result.signal}"
    return ""


class Judge:
    """Judges submissions one test at a time in the sandbox; safe to call concurrently."""

    def __init__(
        self, work_root: Path | None = None, protected_paths: Sequence[Path] = (), *, cache_dir: Path | None = None
    ) -> None:
        # Blocking (builds and probes the launcher): construct before serving.
        self._work_root = Path(work_root) if work_root is not None else Path(tempfile.gettempdir())
        self._work_root.mkdir(parents=True, exist_ok=True)
        # The work root is hidden too, so a program cannot see the submissions
        # judged next to it; its own folder stays reachable as /tmp/box.
        self._sandbox = Sandbox([*protected_paths, self._work_root], cache_dir)
        # Without a mount namespace the program reaches its folder by the real
        # path (CPython opens its script by absolute path), so the sandbox
        # user must be able to traverse every folder above it.
        self._open_path = self._sandbox.root and not self._sandbox.private_mounts
        if self._open_path:
            _check_traversable(self._work_root.resolve())
        self._tools = find_tools()
        self.isolation: str = self._sandbox.isolation
        _clear_abandoned(self._work_root)

    async def judge(self, task: JudgeTask) -> JudgeReport:
        """Compile and run one submission; raises JudgeError if the judge itself fails."""
        try:
            how = recipe(task.compiler, self._tools)
        except KeyError as missing:
            raise JudgeError(f"{missing} is not installed for {task.compiler}") from None
        with self._sandbox.user() as uid:
            folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=self._work_root))
            # Held while the folder is in use: a judge that finds it unlocked
            # knows its owner died (kill -9) and may clear it.
            lock = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if self._open_path:
                    os.chmod(folder, 0o711)
                return await self._judge_in(folder, how, task, uid)
            finally:
                await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
                os.close(lock)

    async def _judge_in(self, folder: Path, how: Recipe, task: JudgeTask, uid: int | None) -> JudgeReport:
        box = folder / "box"
        box.mkdir(mode=0o755)
        (box / how.source_name).write_bytes(task.source)
        ok, log = await self._compile(folder, box, how, uid)
        if not ok:
            return JudgeReport(verdicts.COMPILATION_ERROR, log)
        report = JudgeReport(verdicts.OK, log)
        limits = run_limits(task.time_limit, task.memory_limit)
        judged = RunLimits(math.ceil(task.time_limit * 1000 - 1e-9), task.memory_limit, OUTPUT_LIMIT)
        out, err, copy = folder / "out", folder / "err", folder / "in"
        for number, test in enumerate(task.tests, start=1):
            _empty(out)
            _empty(err)
            stdin = test.input_path
            if self._sandbox.copies_input:
                await asyncio.to_thread(shutil.copyfile, stdin, copy)
                stdin = copy
            result = await self._sandbox.run(
                how.run_argv, workdir=box, limits=limits, uid=uid, stdin=stdin, stdout=out, stderr=err
            )
            verdict = classify(result, judged, out.stat().st_size, _read_tail(err, STDERR_TAIL))
            if verdict is None:
                flags = default_flags(test.validator_flags, task.float_tolerance)
                same = await self._compare(out, test.answer_path, flags)
                verdict = verdicts.OK if same else verdicts.WRONG_ANSWER
            report.tests.append(TestResult(number, test.name, verdict, result.cpu_ms, result.peak_rss))
            report.time = max(report.time, result.cpu_ms)
            report.memory = max(report.memory, result.peak_rss)
            if verdict != verdicts.OK:
                report.verdict, report.failed_test = verdict, number
                break
        return report

    async def _compile(self, folder: Path, box: Path, how: Recipe, uid: int | None) -> tuple[bool, str]:
        log = folder / "compile.log"
        _empty(log)
        if uid is not None:
            os.chown(box, uid, self._sandbox.gid)  # the compiler writes ./prog
        result = await self._sandbox.run(
            how.compile_argv, workdir=box, limits=COMPILE_LIMITS, uid=uid, stdin=None, stdout=log, stderr=log
        )
        if uid is not None:
            self._lock_box(box, how.executable)
        built = how.executable is None or (box / how.executable).is_file()
        ok = result.success and not result.timed_out and built
        return ok, _read_head(log, COMPILE_LOG_LIMIT) + ("" if ok else _compile_note(result))

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
    async def _compare(out: Path, answer: Path, flags: DefaultValidatorFlags) -> bool:
        if _total_size(out, answer) <= INLINE_COMPARE:
            return files_match(out, answer, flags)
        return await asyncio.to_thread(files_match, out, answer, flags)
