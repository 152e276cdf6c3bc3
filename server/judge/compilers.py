"""The languages the judge offers, by the web client's compiler ids, and how each is built and run.

A language is offered (GET /compilers, submissions, COMPILER_SELECTED) only
when its toolchain is installed on this machine; `COMPILERS` is computed once
at import from the system PATH.  Every language is judged under the problem's
limits: a JVM gets the memory limit as its heap (-Xmx) and, on top of it, the
memory the JVM itself needs (`memory_overhead`), so an OutOfMemoryError or a
heap beyond the limit is MemoryLimitExceeded while an honest program that fits
its heap never is.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

MIB = 1 << 20
SYSTEM_PATH = "/usr/bin:/bin:/usr/local/bin"


@dataclass(frozen=True, slots=True)
class CompilerInfo:
    """One compiler as listed by `GET /compilers`."""

    id: str
    name: str
    style: str


@dataclass(frozen=True, slots=True)
class Language:
    """A compiler id, what it needs installed, and where it comes from."""

    info: CompilerInfo
    tools: tuple[str, ...]  # executables looked up on the system PATH
    packages: str  # Debian packages that provide them


LANGUAGES: tuple[Language, ...] = (
    Language(CompilerInfo("python3_docker", "Python 3 (CPython)", "python"), ("python3",), "python3"),
    Language(CompilerInfo("gcc_cpp20", "GNU G++ 20 (-O2)", "cpp"), ("g++",), "g++"),
    Language(CompilerInfo("gcc_c17", "GNU GCC C17 (-O2)", "c"), ("gcc",), "gcc"),
    Language(CompilerInfo("jdk17", "Java 17 (OpenJDK)", "java"), ("javac", "java"), "openjdk-17-jdk-headless"),
    Language(CompilerInfo("pypy3_7_1_0", "PyPy 3 (7.3, Python 3.9)", "python"), ("pypy3",), "pypy3"),
    # Debian 12 ships Kotlin 1.3.31; the id is the one the web client knows.
    Language(CompilerInfo("kotlin_1_8_0", "Kotlin 1.3 (JVM)", "kotlin"), ("kotlinc", "java"), "kotlin"),
)
KNOWN: dict[str, Language] = {lang.info.id: lang for lang in LANGUAGES}
# Source file suffixes by compiler id: how a package's programs (its validator, its accepted submissions)
# are told apart.  A validator folder with sources of several languages is built as the first one here.
SOURCE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "gcc_cpp20": (".cpp", ".cc", ".cxx", ".c++"),
    "gcc_c17": (".c",),
    "python3_docker": (".py", ".py3"),
    "jdk17": (".java",),
    "kotlin_1_8_0": (".kt",),
}
_BY_SUFFIX = {suffix: compiler for compiler, suffixes in SOURCE_SUFFIXES.items() for suffix in suffixes}


def compiler_for(path: Path) -> str | None:
    """The compiler id a package's source file is built with, by its suffix (None for other files)."""
    return _BY_SUFFIX.get(path.suffix.lower())


def missing_tool(compiler_id: str, tools: dict[str, str]) -> str | None:
    """The first tool of a known compiler that is not installed, if any."""
    return next((t for t in KNOWN[compiler_id].tools if t not in tools), None)


def find_tools() -> dict[str, str]:
    """Absolute paths of every toolchain executable installed on the system PATH (never the server's venv)."""
    names = {tool for lang in LANGUAGES for tool in lang.tools}
    found = {name: shutil.which(name, path=SYSTEM_PATH) for name in sorted(names)}
    return {name: path for name, path in found.items() if path}


def available(tools: dict[str, str]) -> dict[str, CompilerInfo]:
    """The languages whose every tool is installed, in the client's order."""
    return {lang.info.id: lang.info for lang in LANGUAGES if all(t in tools for t in lang.tools)}


# Offered on this machine (computed once: installing a toolchain needs a restart).
COMPILERS: dict[str, CompilerInfo] = available(find_tools())


# CPython's own parser is the "compiler" for Python: a syntax error becomes a
# CompilationError with the usual message, and nothing is written to disk.
PYTHON_CHECK = """\
import sys, traceback
name = sys.argv[1]
try:
    with open(name, "rb") as f:
        compile(f.read(), name, "exec", dont_inherit=True)
except Exception as e:
    sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))
    sys.exit(1)
"""

# -s -E: no user site-packages, no PYTHON* variables; -B: no .pyc writes.
PYTHON_FLAGS = ("-B", "-s", "-E")
# The JVM: the serial collector (no GC threads to count against the task limit,
# and the usual choice of judges), no perf-data file in /tmp, a deep stack for
# recursion.  An uncaught OutOfMemoryError is reported on stderr, where the
# verdict finds it (-XX:+ExitOnOutOfMemoryError would print it to stdout).
JVM_FLAGS = ("-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss64m")
# What a JVM needs beyond its heap: metaspace, code cache, thread stacks, its own binary.
JVM_OVERHEAD = 192 * MIB
# The compilers that are JVMs themselves need more time and memory than cc1plus.
JVM_COMPILER_HEAP = ("-J-Xmx768m", "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1")
_JAVA_PUBLIC = re.compile(rb"^\s*public\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_$][A-Za-z0-9_$]*)", re.M)
_JAVA_CLASS = re.compile(rb"\bclass\s+([A-Za-z_$][A-Za-z0-9_$]*)")
_JAVA_MAIN = re.compile(rb"\bstatic\s+void\s+main\s*\(")


@dataclass(frozen=True, slots=True)
class Recipe:
    """How to build and run one submission, with tools resolved to absolute paths."""

    source_name: str
    compile_argv: tuple[str, ...]
    run_argv: tuple[str, ...]
    executable: str | None  # file the compile step must produce, if any
    memory_overhead: int = 0  # bytes the runtime needs beyond the problem's limit
    compile_cpu: float | None = None  # seconds of CPU the compiler may use, when above the default
    # A JVM reserves gigabytes of address space it never uses (class space, a stack per thread):
    # without cgroups its memory is capped by -Xmx alone, not by RLIMIT_AS.
    address_space_cap: bool = True


def java_class(source: bytes) -> str:
    """The class to run: the public one (its file must carry its name), else the one declaring main, else Main."""
    public = _JAVA_PUBLIC.search(source)
    if public:
        return public.group(1).decode()
    main = _JAVA_MAIN.search(source)
    if main:
        before = [m.group(1) for m in _JAVA_CLASS.finditer(source, 0, main.start())]
        if before:
            return before[-1].decode()
    return "Main"


def recipe(compiler_id: str, tools: dict[str, str], source: bytes = b"", memory_limit: int = 256 * MIB) -> Recipe:
    """The recipe for a compiler id; raises KeyError naming a missing tool, ValueError for an unknown id."""
    if compiler_id not in KNOWN:
        raise ValueError(f"unknown compiler: {compiler_id!r}")
    missing = missing_tool(compiler_id, tools)
    if missing is not None:
        raise KeyError(missing)
    heap = f"-Xmx{max(16, memory_limit // MIB)}m"
    if compiler_id in ("python3_docker", "pypy3_7_1_0"):
        py = tools["python3" if compiler_id == "python3_docker" else "pypy3"]
        return Recipe("sol.py", (py, *PYTHON_FLAGS, "-c", PYTHON_CHECK, "sol.py"), (py, *PYTHON_FLAGS, "sol.py"), None)
    if compiler_id == "gcc_cpp20":
        cmd = (tools["g++"], "-std=c++20", "-O2", "-DONLINE_JUDGE", "-o", "prog", "sol.cpp")
        return Recipe("sol.cpp", cmd, ("./prog",), "prog")
    if compiler_id == "gcc_c17":
        cmd = (tools["gcc"], "-std=c17", "-O2", "-DONLINE_JUDGE", "-o", "prog", "sol.c", "-lm")
        return Recipe("sol.c", cmd, ("./prog",), "prog")
    if compiler_id == "jdk17":
        name = java_class(source)
        cmd = (tools["javac"], *JVM_COMPILER_HEAP, "-encoding", "UTF-8", "-d", ".", f"{name}.java")
        run = (tools["java"], heap, *JVM_FLAGS, "-cp", ".", name)
        return Recipe(f"{name}.java", cmd, run, f"{name}.class", JVM_OVERHEAD, 20.0, address_space_cap=False)
    # kotlin_1_8_0
    cmd = (tools["kotlinc"], *JVM_COMPILER_HEAP, "sol.kt", "-include-runtime", "-d", "sol.jar")
    run = (tools["java"], heap, *JVM_FLAGS, "-jar", "sol.jar")
    return Recipe("sol.kt", cmd, run, "sol.jar", JVM_OVERHEAD, 30.0, address_space_cap=False)
