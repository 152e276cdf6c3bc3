"""Test data of a Kattis/ICPC package: data/sample then data/secret, nested groups in the spec's order.

Within a group, test cases and subgroups are used in lexicographic order of their base names.
The output validator flags of a test are problem.yaml's `validator_flags` followed by those of the
closest `testdata.yaml` (legacy: `output_validator_flags`, a string or `{name, flags}`) or, in the
newer formats, `test_group.yaml` / the test's own `<name>.yaml` (`output_validator_args`, a list).
Grading keys (`on_reject`, `grading`, scores) change nothing for pass-fail ICPC judging, and
`input_validator_flags` only matter to input validators, which a judge does not run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..judge.types import TestCase
from .errors import Errors, PackageError
from .files import inside, read_text, read_yaml

GROUPS = ("sample", "secret")


@dataclass(frozen=True, slots=True)
class Sample:
    """What the statement shows of one sample: input and output, or an interaction log."""

    name: str
    input: str | None = None
    output: str | None = None
    interaction: str | None = None  # lines starting with ">" (to the validator) and "<" (from it)


def _flag_words(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, dict):  # legacy {name: validator, flags: "..."}
        return _flag_words(value.get("flags"), where)
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(str(v) for v in value)
    raise PackageError(f"{where}: output validator flags must be a string or a list of strings")


def _config_flags(config: dict[str, Any], where: str) -> tuple[str, ...]:
    if "output_validator_flags" in config:
        return _flag_words(config["output_validator_flags"], where)
    return _flag_words(config.get("output_validator_args"), where)


class _Walker:
    """One walk over data/, collecting tests and the errors of all of them."""

    def __init__(self, root: Path, problem_flags: tuple[str, ...]) -> None:
        self.root = root
        self.data = root / "data"
        self.problem_flags = problem_flags
        self.tests: list[TestCase] = []
        self.errors = Errors()

    def config(self, folder: Path, inherited: dict[str, Any]) -> dict[str, Any]:
        # The closest testdata.yaml wins whole (it is not merged with its ancestors'); test_group.yaml
        # (newer formats) applies to its own group.
        for name in ("testdata.yaml", "test_group.yaml"):
            path = folder / name
            if path.is_file():
                try:
                    return read_yaml(path, self.root)
                except PackageError as exc:
                    self.errors.extend(exc)
        return inherited

    def group(self, folder: Path, inherited: dict[str, Any]) -> None:
        config = self.config(folder, inherited)
        rel = folder.relative_to(self.data).as_posix()
        try:
            group_flags = _config_flags(config, rel)
        except PackageError as exc:
            self.errors.extend(exc)
            group_flags = ()
        entries: dict[str, Path] = {}
        for entry in folder.iterdir():
            if entry.name.startswith("."):
                continue
            if not inside(entry, self.root):
                self.errors.add(f"data/{rel}/{entry.name} links outside the package")
            elif entry.is_dir():
                entries[entry.name] = entry
            elif entry.suffix == ".in" and entry.is_file():
                entries[entry.stem] = entry
        for key in sorted(entries):
            entry = entries[key]
            if entry.is_dir():
                self.group(entry, config)
            else:
                self.case(entry, group_flags)

    def case(self, inp: Path, group_flags: tuple[str, ...]) -> None:
        name = inp.relative_to(self.data).with_suffix("").as_posix()
        ans = inp.with_suffix(".ans")
        if not ans.is_file():
            self.errors.add(f"data/{name}.in has no .ans file")
            return
        flags = self.problem_flags + group_flags
        own = inp.with_suffix(".yaml")
        if own.is_file():
            try:
                own_flags = _config_flags(read_yaml(own, self.root), f"data/{name}.yaml")
                flags = self.problem_flags + (own_flags or group_flags)
            except PackageError as exc:
                self.errors.extend(exc)
        self.tests.append(TestCase(name, inp, ans, flags))


def load_tests(root: Path, problem_flags: tuple[str, ...] = ()) -> list[TestCase]:
    """Every test of the package at root, samples first; PackageError lists every broken test."""
    walker = _Walker(root, problem_flags)
    base = walker.config(walker.data, {}) if walker.data.is_dir() else {}
    for group in GROUPS:
        folder = walker.data / group
        if folder.is_dir():
            walker.group(folder, base)
    walker.errors.raise_if_any()
    if not walker.tests:
        raise PackageError("no tests under data/sample or data/secret")
    return walker.tests


def _first(*paths: Path) -> Path | None:
    return next((p for p in paths if p.is_file()), None)


def load_samples(root: Path, interactive: bool) -> list[Sample]:
    """The samples a statement shows, from data/sample, in order.

    Shown input: `.in.statement` over `.in`; output: `.ans.statement` over `.out` over `.ans`. An
    `.interaction` file is shown instead when there is one; interactive problems show nothing else
    (their .in and .ans are for the validator's eyes only), and an `.interaction` without `.in` is
    a sample of its own.
    """
    folder = root / "data" / "sample"
    if not folder.is_dir():
        return []
    stems: set[str] = set()
    for entry in folder.iterdir():
        if entry.is_file() and entry.suffix in (".in", ".interaction") and inside(entry, root):
            stems.add(entry.stem)
    samples = []
    for stem in sorted(stems):
        base = folder / stem
        interaction = _first(base.with_name(stem + ".interaction"))
        if interaction is not None:
            samples.append(Sample(stem, interaction=read_text(interaction)))
            continue
        if interactive:
            continue
        shown_in = _first(base.with_name(stem + ".in.statement"), base.with_name(stem + ".in"))
        shown_out = _first(
            base.with_name(stem + ".ans.statement"), base.with_name(stem + ".out"), base.with_name(stem + ".ans")
        )
        if shown_in is not None and shown_out is not None:
            samples.append(Sample(stem, read_text(shown_in), read_text(shown_out)))
    return samples
