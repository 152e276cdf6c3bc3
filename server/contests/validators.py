"""How a Kattis/ICPC problem checks output: `validation`/`type`, its flags and its custom validator's source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..judge.checker import DefaultValidatorFlags
from ..judge.compilers import SOURCE_SUFFIXES, compiler_for
from ..judge.types import TestCase, Validation, ValidatorSource
from .errors import PackageError
from .files import links_outside


def validation_of(meta: dict[str, Any], legacy: bool) -> Validation:
    """The problem's validation mode from problem.yaml (`validation` in legacy, `type` in newer formats)."""
    types = meta.get("type", "pass-fail")
    kinds = {types} if isinstance(types, str) else set(types) if isinstance(types, list) else None
    if kinds is None or not all(isinstance(k, str) for k in kinds):
        raise PackageError("problem.yaml: type must be a string or a list of strings")
    unsupported = kinds & {"multi-pass", "submit-answer"}
    if unsupported:
        raise PackageError(f"problem.yaml: type {', '.join(sorted(unsupported))} is not supported by this judge")
    raw = meta.get("validation")
    if raw is None:
        return "custom interactive" if "interactive" in kinds else "default"
    if not isinstance(raw, str) or not raw.split():
        raise PackageError("problem.yaml: validation must be a string such as 'default' or 'custom interactive'")
    words = raw.split()
    mode, extras = words[0], set(words[1:])
    if mode not in ("default", "custom") or not extras <= {"score", "interactive"} or (mode == "default" and extras):
        raise PackageError(f"problem.yaml: unknown validation {raw!r} (default, custom, custom interactive)")
    if mode == "custom" and ("interactive" in extras or "interactive" in kinds):
        return "custom interactive"
    return "custom" if mode == "custom" else ("custom interactive" if "interactive" in kinds else "default")


def problem_flags(meta: dict[str, Any]) -> tuple[str, ...]:
    """problem.yaml's `validator_flags` (a string, or a list), plus our old `float_tolerance: true` as 1e-6."""
    raw = meta.get("validator_flags")
    if raw is None:
        flags: tuple[str, ...] = ()
    elif isinstance(raw, str):
        flags = tuple(raw.split())
    elif isinstance(raw, list) and all(isinstance(v, str | int | float) for v in raw):
        flags = tuple(str(v) for v in raw)
    else:
        raise PackageError("problem.yaml: validator_flags must be a string")
    legacy = meta.get("float_tolerance")
    if legacy is not None and not isinstance(legacy, bool):
        raise PackageError("problem.yaml: float_tolerance must be true or false")
    if legacy and not any(f.startswith("float_") for f in flags):
        flags += ("float_tolerance", "1e-6")
    return flags


def check_default_flags(tests: list[TestCase]) -> None:
    """Every distinct flag set must be one the default validator understands (checked once, at load)."""
    for flags in dict.fromkeys(t.validator_flags for t in tests):
        try:
            DefaultValidatorFlags.parse(flags)
        except ValueError as exc:
            users = [t.name for t in tests if t.validator_flags == flags]
            raise PackageError(f"default validator flags {' '.join(flags)!r} (test {users[0]}): {exc}") from None


def program_language(program: Path) -> str | None:
    """The compiler id of a validator program (a file, or a folder of sources); None with build/run scripts."""
    if program.is_dir():
        names = {p.name for p in program.iterdir()}
        if names & {"build", "run"}:
            return None
        found = {compiler_for(p) for p in program.iterdir()}
    else:
        found = {compiler_for(program)}
    for compiler in SOURCE_SUFFIXES:  # in its order: C++ sources with a Python helper are a C++ validator
        if compiler in found:
            return compiler
    raise PackageError(
        f"{program.name}: cannot tell the validator's language (C, C++, Python, Java or Kotlin sources, or build/run)"
    )


def custom_validator(root: Path) -> ValidatorSource:
    """The package's one output validator: `output_validator/` (newer formats) or `output_validators/<name>`."""
    single = root / "output_validator"
    if single.is_dir():
        program = single
    else:
        folder = root / "output_validators"
        programs = sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []
        if not programs:
            raise PackageError("validation is custom but there is no output_validators/ (or output_validator/)")
        if len(programs) > 1:
            names = ", ".join(p.name for p in programs)
            raise PackageError(f"output_validators/ holds several validators ({names}); this judge runs one")
        program = programs[0]
    outside = links_outside(program, root)
    if outside:
        raise PackageError(*outside)
    return ValidatorSource(program, "kattis", program_language(program))
