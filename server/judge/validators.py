"""A problem's own output validators: built once per content, run in the sandbox, verdicts read by convention.

Two conventions (ValidatorSource.kind):

- Kattis / ICPC problem package format: ``validator input judge_answer
  feedback_dir [flags] < team_output``; exit 42 is accepted, 43 wrong answer,
  anything else a judging error; ``feedback_dir/judgemessage.txt`` is the
  message kept with the test's result.
- testlib (Polygon checkers): ``check input team_output answer``; exit 0 ok,
  1 wrong answer, 2 presentation error (wrong answer in ICPC), 4 (extra
  output) and 8 (unexpected end of file) wrong answer, 7 points (accepted with
  a positive score), 3 "fail" and anything else a judging error; its comment
  (stderr) is the message.

A validator runs as a uid of its own (never the submission's), in its own
cgroup, with the problem's files bound read-only at fixed paths
(/judge/input, /judge/answer, /judge/output) and the built program at
/judge/validator; its working folder (the feedback folder) is its box.  A
judging error is never a verdict for the team: it is reported as JUDGE_ERROR
with what went wrong.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import verdicts
from .classify import why_stopped
from .compilers import (
    JVM_COMPILER_HEAP,
    JVM_FLAGS,
    MIB,
    PYTHON_CHECK,
    PYTHON_FLAGS,
    SOURCE_SUFFIXES,
    compiler_for,
    java_class,
    missing_tool,
)
from .sandbox import Bind, Lease, Limits, RunResult, Sandbox
from .types import KATTIS, TESTLIB, JudgeError, ValidatorSource
from .workspace import empty_file, lock_tree, read_head

VALIDATOR_DIR = "/judge/validator"
INPUT, ANSWER, OUTPUT = "/judge/input", "/judge/answer", "/judge/output"
MESSAGE_LIMIT = 4096
KATTIS_ACCEPTED, KATTIS_WRONG = 42, 43
_POINTS = re.compile(r"points\s+([-+0-9.eE]+)")
JVM_LANGUAGES = ("jdk17", "kotlin_1_8_0")
# Short names callers may use for a validator's language (the loader gives compiler ids).
_ALIASES = {"c": "gcc_c17", "cpp": "gcc_cpp20", "python3": "python3_docker", "java": "jdk17", "kotlin": "kotlin_1_8_0"}
# A validator folder with its own scripts (Kattis): `build` is run once, `run` for every test.
SCRIPTS = "scripts"


def language_of(source: ValidatorSource) -> str:
    """The compiler id a validator is built with (SCRIPTS when its folder has build/run scripts)."""
    if source.language is None:
        return SCRIPTS
    return _ALIASES.get(source.language, source.language)


@dataclass(frozen=True)
class Built:
    """A validator ready to run: its folder (bound at /judge/validator) and command line."""

    folder: Path
    run_argv: tuple[str, ...]
    source: ValidatorSource


@dataclass(frozen=True)
class Judgement:
    """What a validator decided about one output."""

    verdict: str  # OK, WRONG_ANSWER or JUDGE_ERROR
    message: str = ""


def content_key(source: ValidatorSource) -> str:
    """Names a validator by everything that makes its build: its files, language and convention."""
    h = hashlib.sha256(f"{source.language}\0{source.kind}\0{source.entry}\0".encode())
    files = [source.folder] if source.folder.is_file() else sorted(p for p in source.folder.rglob("*") if p.is_file())
    for path in files:
        name = path.name if source.folder.is_file() else str(path.relative_to(source.folder))
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:24]


def _commands(
    source: ValidatorSource, box: Path, tools: dict[str, str]
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """(compile argv run in the build box, or None; run argv as the sandbox sees it)."""
    lang = language_of(source)
    if lang == SCRIPTS:
        if not (box / "run").is_file():
            raise JudgeError("validator folder has neither sources of a known language nor a `run` script")
        build = ("/bin/sh", "build") if (box / "build").is_file() else None
        # The folder is $0, an argument of its own: where the sandbox shows it elsewhere, _argv rewrites it.
        return build, ("/bin/sh", "-c", 'cd "$0" && exec /bin/sh ./run "$@"', VALIDATOR_DIR)
    if lang not in SOURCE_SUFFIXES:
        raise JudgeError(f"validator language {lang!r} is not one the judge builds")
    missing = missing_tool(lang, tools)
    if missing is not None:
        raise JudgeError(f"validator language {lang}: {missing} is not installed")
    files = sorted(p.name for p in box.iterdir() if p.is_file() and compiler_for(p) == lang)
    entry = source.entry or (files[0] if len(files) == 1 else _main_file(source, files))
    if source.entry and source.entry not in files:
        raise JudgeError(f"validator entry {source.entry!r} is not among its sources {files}")
    if not files:
        raise JudgeError(f"validator folder has no {lang} source")
    heap = f"-Xmx{max(64, source.memory_limit // MIB // 2)}m"
    if lang == "gcc_cpp20":
        return (tools["g++"], "-std=c++20", "-O2", "-o", "validator", *([entry] if source.entry else files)), (
            f"{VALIDATOR_DIR}/validator",
        )
    if lang == "gcc_c17":
        return (tools["gcc"], "-std=c17", "-O2", "-o", "validator", *([entry] if source.entry else files), "-lm"), (
            f"{VALIDATOR_DIR}/validator",
        )
    if entry is None:
        raise JudgeError(f"validator has several {lang} sources {files}: name its entry")
    if lang == "python3_docker":
        py = tools["python3"]
        return (py, *PYTHON_FLAGS, "-c", PYTHON_CHECK, entry), (py, *PYTHON_FLAGS, f"{VALIDATOR_DIR}/{entry}")
    if lang == "jdk17":
        main = java_class((box / entry).read_bytes())
        return (tools["javac"], *JVM_COMPILER_HEAP, "-encoding", "UTF-8", "-d", ".", *files), (
            tools["java"],
            heap,
            *JVM_FLAGS,
            "-cp",
            VALIDATOR_DIR,
            main,
        )
    return (tools["kotlinc"], *JVM_COMPILER_HEAP, *files, "-include-runtime", "-d", "validator.jar"), (
        tools["java"],
        heap,
        *JVM_FLAGS,
        "-jar",
        f"{VALIDATOR_DIR}/validator.jar",
    )


def _main_file(source: ValidatorSource, files: list[str]) -> str | None:
    """Among several sources of a scripted language, the one named like the program (as problemtools does)."""
    stems = (source.folder.stem, "validator", "main", "check", "checker", "interactor")
    return next((f for stem in stems for f in files if Path(f).stem == stem), None)


def _read_message(path: Path) -> str:
    # In the validator's own folder: it may have made judgemessage.txt a link or a FIFO.
    return read_head(path, MESSAGE_LIMIT).strip()


def _failure(result: RunResult, limits: Limits) -> str:
    return why_stopped(result, limits) or f"exited with code {result.exit_code}"


def kattis_judgement(result: RunResult, limits: Limits, message: str) -> Judgement:
    """A Kattis validator's run as a judgement: 42 accepted, 43 wrong answer, anything else a judging error."""
    if result.exit_code == KATTIS_ACCEPTED and not result.timed_out:
        return Judgement(verdicts.OK, message)
    if result.exit_code == KATTIS_WRONG and not result.timed_out:
        return Judgement(verdicts.WRONG_ANSWER, message)
    detail = f": {message}" if message else ""
    return Judgement(verdicts.JUDGE_ERROR, f"output validator {_failure(result, limits)} (not 42 or 43){detail}")


def testlib_judgement(result: RunResult, limits: Limits, message: str) -> Judgement:
    """A testlib checker's run as a judgement (see the module docstring for its exit codes)."""
    code = None if result.timed_out else result.exit_code
    if code == 0:
        return Judgement(verdicts.OK, message)
    if code in (1, 2, 4, 8):
        return Judgement(verdicts.WRONG_ANSWER, message)
    if code == 7:
        points = _POINTS.search(message)
        try:
            score = float(points.group(1)) if points else 0.0
        except ValueError:
            score = 0.0
        return Judgement(verdicts.OK if score > 0 else verdicts.WRONG_ANSWER, message)
    what = "reported a failure (exit 3)" if code == 3 else _failure(result, limits)
    return Judgement(verdicts.JUDGE_ERROR, f"checker {what}: {message}" if message else f"checker {what}")


def validator_limits(source: ValidatorSource, wall_at_least: float = 0.0) -> Limits:
    """The limits of one validator run."""
    return Limits(
        cpu_time=source.time_limit,
        wall_time=max(2 * source.time_limit + 1, wall_at_least),
        memory=source.memory_limit,
        address_space=-1 if language_of(source) in JVM_LANGUAGES else 2 * source.memory_limit + 64 * MIB,
        stack=max(64 * MIB, source.memory_limit // 4),
        file_size=64 * MIB,
        processes=64,
        scratch=64 * MIB,
    )


class Validators:
    """This judge instance's built validators, one per content (built once, concurrently safe)."""

    def __init__(self, sandbox: Sandbox, root: Path, tools: dict[str, str], compile_limits: Limits) -> None:
        self._sandbox = sandbox
        self._root = root
        self._tools = tools
        self._compile_limits = compile_limits
        self._built: dict[str, Built] = {}
        self._failed: dict[str, JudgeError] = {}
        self._locks: dict[tuple[int, str], asyncio.Lock] = {}

    async def build(self, source: ValidatorSource, lease: Lease) -> Built:
        """The built validator for this source (compiled in the sandbox the first time); JudgeError if it cannot be."""
        # The package loader names the content once, at load; hashing every file per submission is the fallback.
        key = source.key or await asyncio.to_thread(content_key, source)
        if key in self._built:
            return self._built[key]
        lock = self._locks.setdefault((id(asyncio.get_running_loop()), key), asyncio.Lock())
        async with lock:
            if key in self._failed:  # the same files fail the same way: not another 10-30 s build per submission
                raise self._failed[key]
            if key not in self._built:
                try:
                    self._built[key] = await self._build(source, key, lease)
                except JudgeError as exc:
                    self._failed[key] = exc
                    raise
        return self._built[key]

    async def _build(self, source: ValidatorSource, key: str, lease: Lease) -> Built:
        box = self._root / key
        await asyncio.to_thread(shutil.rmtree, box, ignore_errors=True)
        if source.folder.is_file():  # a single-file validator
            box.mkdir()
            await asyncio.to_thread(shutil.copyfile, source.folder, box / source.folder.name)
        else:
            await asyncio.to_thread(shutil.copytree, source.folder, box)
        compile_argv, run_argv = _commands(source, box, self._tools)
        if compile_argv is not None:
            log = self._root / f"{key}.log"
            log.write_bytes(b"")
            if lease.uid is not None:
                for path in (box, *box.rglob("*")):
                    os.chown(path, lease.uid, self._sandbox.gid, follow_symlinks=False)
            limits = self._compile_limits
            if language_of(source) in JVM_LANGUAGES:
                limits = dataclasses.replace(limits, cpu_time=30.0, wall_time=45.0, address_space=-1)
            result = await self._sandbox.run(
                compile_argv, workdir=box, limits=limits, lease=lease, stdin=None, stdout=log, stderr=log
            )
            if not result.success or result.timed_out:
                text = _read_message(log)
                raise JudgeError(f"the problem's validator does not build ({_failure(result, limits)}): {text}")
        # Read-only for every run from now on (a `build` script may have planted links to root's files).
        await asyncio.to_thread(
            lock_tree, box, 0 if lease.uid is not None else os.getuid(), 0 if lease.uid is not None else os.getgid()
        )
        return Built(box, run_argv, source)

    async def command(
        self, built: Built, run_folder: Path, test_input: Path, answer: Path, flags: tuple[str, ...]
    ) -> tuple[list[str], list[Bind]]:
        """A Kattis validator's (or interactor's) command line and binds for one test."""
        files, binds = await self._place(built, run_folder, {INPUT: test_input, ANSWER: answer})
        feedback = self._sandbox.box_path(run_folder) + "/"
        return [*self._argv(built), files[INPUT], files[ANSWER], feedback, *flags], binds

    async def check(
        self,
        built: Built,
        lease: Lease,
        *,
        run_folder: Path,
        test_input: Path,
        answer: Path,
        output: Path,
        flags: tuple[str, ...],
    ) -> Judgement:
        """Judge one test's output with the problem's validator (after the submission has finished)."""
        limits = validator_limits(built.source)
        stderr = run_folder.parent / f"{run_folder.name}.stderr"
        empty_file(stderr)
        stdin: Path | None
        if built.source.kind == TESTLIB:
            os.chmod(output, 0o644)  # in the submission's root-only folder: shown to this checker alone
            files, binds = await self._place(built, run_folder, {INPUT: test_input, OUTPUT: output, ANSWER: answer})
            argv, stdin = [*self._argv(built), files[INPUT], files[OUTPUT], files[ANSWER]], None
        elif built.source.kind == KATTIS:
            argv, binds = await self.command(built, run_folder, test_input, answer, flags)
            stdin = output
        else:
            raise JudgeError(f"unknown validator convention {built.source.kind!r}")
        result = await self._sandbox.run(
            argv,
            workdir=run_folder,
            limits=limits,
            lease=lease,
            stdin=stdin,
            stdout=stderr,
            stderr=stderr,
            binds=binds,
        )
        if built.source.kind == TESTLIB:
            return testlib_judgement(result, limits, _read_message(stderr))
        return kattis_judgement(result, limits, self.message(run_folder, stderr))

    @staticmethod
    def message(run_folder: Path, stderr: Path) -> str:
        """judgemessage.txt, else what the validator wrote on stderr."""
        return _read_message(run_folder / "judgemessage.txt") or _read_message(stderr)

    async def prepare_folder(self, folder: Path, lease: Lease) -> None:
        """A fresh run folder (the validator's box and feedback folder), writable by the validator's uid only.

        A test run again (starved of CPU the first time) gets its folder anew: no stale judgemessage.txt.
        """
        await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
        os.mkdir(folder, 0o700)
        if lease.uid is not None:
            os.chown(folder, lease.uid, self._sandbox.gid)

    def _argv(self, built: Built) -> list[str]:
        if not self._sandbox.binds_files and self._sandbox.private_mounts:
            # Private mounts without the allow-list root cover the judge's folders: nowhere to find the validator.
            raise JudgeError("custom validators need the sandbox's allow-list root (or no mount namespace at all)")
        inside = self._sandbox.inside(built.folder, VALIDATOR_DIR)
        return [a.replace(VALIDATOR_DIR, inside, 1) if a.startswith(VALIDATOR_DIR) else a for a in built.run_argv]

    async def _place(self, built: Built, run_folder: Path, named: dict[str, Path]) -> tuple[dict[str, str], list[Bind]]:
        """Where the validator finds each file, and the binds that put them there.

        A world-readable file is bound read-only at its fixed path; one only
        root may read (or every file, where the sandbox cannot bind) is copied
        into the validator's folder, readable by its uid.
        """
        binds = [Bind(built.folder, VALIDATOR_DIR)] if self._sandbox.binds_files else []
        places: dict[str, str] = {}
        for inside, host in named.items():
            if self._sandbox.binds_files and host.stat().st_mode & 0o004:
                binds.append(Bind(host, inside))
                places[inside] = inside
                continue
            copy = run_folder / Path(inside).name
            await asyncio.to_thread(shutil.copyfile, host, copy)  # tests may be large: off the event loop
            os.chmod(copy, 0o644)
            places[inside] = self._sandbox.box_path(run_folder) + "/" + copy.name
        return places, binds
