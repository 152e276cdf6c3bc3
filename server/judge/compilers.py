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
