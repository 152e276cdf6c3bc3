"""The compilers the web client knows, by id."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CompilerInfo:
    """One compiler as listed by `GET /compilers`."""

    id: str
    name: str
    style: str


COMPILERS: dict[str, CompilerInfo] = {
    c.id: c
    for c in (
        CompilerInfo("python3_docker", "Python 3 (CPython)", "python"),
        CompilerInfo("gcc_cpp20", "GNU G++ 20 (-O2)", "cpp"),
        CompilerInfo("gcc_c17", "GNU GCC C17 (-O2)", "c"),
    )
}


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


@dataclass(frozen=True, slots=True)
class Recipe:
    """How to build and run one language, with tools resolved to absolute paths."""

    source_name: str
    compile_argv: tuple[str, ...]
    run_argv: tuple[str, ...]
    executable: str | None  # file the compile step must produce, if any


def recipe(compiler_id: str, tools: dict[str, str]) -> Recipe:
    """The recipe for a compiler id; `tools` maps gcc/g++/python3 to paths."""
    if compiler_id == "python3_docker":
        py = tools["python3"]
        return Recipe("sol.py", (py, *PYTHON_FLAGS, "-c", PYTHON_CHECK, "sol.py"), (py, *PYTHON_FLAGS, "sol.py"), None)
    if compiler_id == "gcc_cpp20":
        cmd = (tools["g++"], "-std=c++20", "-O2", "-DONLINE_JUDGE", "-o", "prog", "sol.cpp")
        return Recipe("sol.cpp", cmd, ("./prog",), "prog")
    if compiler_id == "gcc_c17":
        cmd = (tools["gcc"], "-std=c17", "-O2", "-DONLINE_JUDGE", "-o", "prog", "sol.c", "-lm")
        return Recipe("sol.c", cmd, ("./prog",), "prog")
    raise ValueError(f"unknown compiler: {compiler_id!r}")
