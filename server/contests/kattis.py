"""Read one problem in the Kattis/ICPC problem package format (legacy, 2023-07 draft, 2025-09).

problem.yaml gives the name, `limits` (memory in MiB, time as timelimits.py chooses), how output
is validated (`validation` / `type`, `validator_flags`), and our own older `float_tolerance: true`.
Every independent part is checked, so a broken package reports all its faults at once.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ..judge.types import TestCase, Validation, ValidatorSource
from .errors import Errors, PackageError
from .files import positive, read_yaml
from .models import Problem, Statement
from .statement import page_html, render_statement
from .testdata import load_samples, load_tests
from .timelimits import TimeLimitChoice, choose
from .validators import check_default_flags, custom_validator, problem_flags, validation_of

MIB = 1024 * 1024
DEFAULT_MEMORY_MIB = 1024  # Kattis's system default; problem.yaml `limits.memory` overrides it
LEGACY_VERSIONS = ("legacy", "legacy-icpc")


def _name(meta: dict[str, Any], language: str | None) -> str | None:
    """problem.yaml's name, in the statement's language when it is a map of languages."""
    name = meta.get("name")
    if isinstance(name, dict):
        for key in (language, "en", *sorted(str(k) for k in name)):
            if key in name and isinstance(name[key], str) and name[key].strip():
                return name[key].strip()
        return None
    return name.strip() if isinstance(name, str) and name.strip() else None


def _constants(meta: dict[str, Any]) -> dict[str, str]:
    constants = meta.get("constants")
    if not isinstance(constants, dict):
        return {}
    return {str(k): str(v) for k, v in constants.items() if isinstance(v, str | int | float)}


def page_of(problem: Problem) -> bytes:
    """The statement page of a problem with its current name and limits."""
    return page_html(
        problem.alias,
        problem.name,
        problem.time_limit,
        problem.memory_limit,
        problem.statement.body,
        problem.statement.language,
    )


def load_problem(alias: str, folder: Path) -> Problem:
    """Read the package in folder as problem `alias` (blocking); PackageError lists every fault."""
    if not folder.is_dir():
        raise PackageError(f"folder {folder.name} is missing")
    meta = read_yaml(folder / "problem.yaml", folder)
    version = str(meta.get("problem_format_version", "legacy"))
    legacy = version in LEGACY_VERSIONS
    errors = Errors()
    limits = meta.get("limits") or {}
    if not isinstance(limits, dict):
        errors.add("problem.yaml: limits must be a mapping")
        limits = {}
    memory = DEFAULT_MEMORY_MIB * MIB
    try:
        memory = int(positive(limits.get("memory", DEFAULT_MEMORY_MIB), "problem.yaml: limits.memory") * MIB)
    except PackageError as exc:
        errors.extend(exc)
    extra: dict[str, float | None] = {"output": None, "validation_time": None, "validation_memory": None}
    for key in extra:
        if key in limits:
            try:
                extra[key] = positive(limits[key], f"problem.yaml: limits.{key}")
            except PackageError as exc:
                errors.extend(exc)
    time = TimeLimitChoice(1.0, "default")
    try:
        time = choose(folder, limits, legacy)
    except PackageError as exc:
        errors.extend(exc)
    validation: Validation = "default"
    validator: ValidatorSource | None = None
    flags: tuple[str, ...] = ()
    try:
        validation = validation_of(meta, legacy)
        flags = problem_flags(meta)
        if validation != "default" or ((folder / "output_validator").is_dir() and not legacy):
            validator = custom_validator(folder)
            if validation == "default":
                validation = "custom"
    except PackageError as exc:
        errors.extend(exc)
    tests: list[TestCase] = []
    try:
        tests = load_tests(folder, flags)
        if validation == "default":
            check_default_flags(tests)
    except PackageError as exc:
        errors.extend(exc)
    errors.raise_if_any()
    name = _name(meta, None)
    rendered = render_statement(
        folder, load_samples(folder, validation == "custom interactive"), name, _constants(meta)
    )
    statement: Statement = rendered.statement
    name = _name(meta, statement.language) or rendered.name or folder.name
    problem = Problem(
        alias=alias,
        name=name,
        folder=folder,
        time_limit=time.seconds,
        memory_limit=memory,
        statement=statement,
        statement_html=b"",
        tests=tuple(tests),
        validation=validation,
        validator=validator,
        time_limit_source=time.source,
        derivation=time.derivation,
        package_format=version,
        output_limit=int(extra["output"] * MIB) if extra["output"] else None,
        validation_time=extra["validation_time"],
        validation_memory=int(extra["validation_memory"] * MIB) if extra["validation_memory"] else None,
    )
    return dataclasses.replace(problem, statement_html=page_of(problem))
