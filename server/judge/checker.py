"""The default output validator of the problem package format, with its flags.

Token by token, as the Kattis/ICPC specification defines it: tokens are split
on ASCII whitespace, compared case-insensitively unless `case_sensitive`,
whitespace is ignored unless `space_change_sensitive`, and with a float
tolerance an answer token that is a number accepts any number within it.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

_TOKEN = re.compile(rb"\S+")
_RUN = re.compile(rb"\s+|\S+")  # whitespace and token runs, for space_change_sensitive
# The specification's float grammar: sign? (digits* "." digits+ | digits+ "." | digits+) exponent?.
# Python's float() alone would also accept "nan", "inf", "1_000" and surrounding spaces.
_NUMBER = re.compile(rb"[+-]?(?:\d*\.\d+|\d+\.?)(?:[eE][+-]?\d+)?")
_SWITCHES = ("case_sensitive", "space_change_sensitive")
_TOLERANCES = ("float_tolerance", "float_absolute_tolerance", "float_relative_tolerance")


@dataclass(frozen=True, slots=True)
class DefaultValidatorFlags:
    """The default validator's arguments (`validator_flags` / `output_validator_flags`), parsed."""

    case_sensitive: bool = False
    space_change_sensitive: bool = False
    float_absolute_tolerance: float | None = None
    float_relative_tolerance: float | None = None

    @property
    def floats(self) -> bool:
        """Whether any float tolerance is set (numbers are then compared as numbers)."""
        return self.float_absolute_tolerance is not None or self.float_relative_tolerance is not None

    @classmethod
    def parse(cls, flags: Sequence[str]) -> DefaultValidatorFlags:
        """Parse the arguments; ValueError names an unknown flag, a bad ε or a repeated tolerance."""
        switches: set[str] = set()
        tolerances: dict[str, float] = {}
        words = iter(flags)
        for word in words:
            if word in _SWITCHES:
                switches.add(word)
            elif word in _TOLERANCES:
                value = next(words, None)
                if value is None:
                    raise ValueError(f"{word} needs a value")
                if word in tolerances:
                    raise ValueError(f"{word} is given twice")
                tolerances[word] = _epsilon(word, value)
            else:
                raise ValueError(f"unknown default validator flag {word!r}")
        both = tolerances.pop("float_tolerance", None)
        if both is not None and tolerances:
            raise ValueError("float_tolerance cannot be combined with float_absolute/relative_tolerance")
        return cls(
            case_sensitive="case_sensitive" in switches,
            space_change_sensitive="space_change_sensitive" in switches,
            float_absolute_tolerance=both if both is not None else tolerances.get("float_absolute_tolerance"),
            float_relative_tolerance=both if both is not None else tolerances.get("float_relative_tolerance"),
        )


def _epsilon(flag: str, value: str) -> float:
    if not _NUMBER.fullmatch(value.encode()):
        raise ValueError(f"{flag} needs a number, not {value!r}")
    epsilon = float(value)
    if not math.isfinite(epsilon):
        raise ValueError(f"{flag} {value} is not finite")
    if epsilon < 0:  # no answer could ever be within it: every submission would be judged wrong
        raise ValueError(f"{flag} {value} is negative")
    return epsilon


# No flags: tokens compared exactly (ASCII case aside), whitespace ignored.
NO_FLAGS = DefaultValidatorFlags()


@functools.lru_cache(maxsize=256)
def default_flags(flags: tuple[str, ...]) -> DefaultValidatorFlags:
    """The parsed flags of one test (each distinct set parsed once)."""
    return DefaultValidatorFlags.parse(flags)


def _tokens(data: bytes) -> Iterator[bytes]:
    # Lazily: a 64 MiB output split at once would cost gigabytes of objects.
    return (m.group() for m in _TOKEN.finditer(data))


def _same_text(got: bytes, expected: bytes, case_sensitive: bool) -> bool:
    # bytes.lower() folds ASCII A-Z only, as the specification says.
    return got == expected or (not case_sensitive and got.lower() == expected.lower())


def tokens_match(got: bytes, expected: bytes, flags: DefaultValidatorFlags = NO_FLAGS) -> bool:
    """Whether one output token matches one answer token."""
    if _same_text(got, expected, flags.case_sensitive):
        return True
    if not flags.floats or not _NUMBER.fullmatch(expected):
        return False  # not a number in the answer: compared as text, and it differed
    if not _NUMBER.fullmatch(got):
        return False
    a, s = float(expected), float(got)
    if not (math.isfinite(a) and math.isfinite(s)):  # overflowed exponents are never "close"
        return False
    diff = abs(s - a)
    absolute, relative = flags.float_absolute_tolerance, flags.float_relative_tolerance
    return (absolute is not None and diff <= absolute) or (relative is not None and diff <= relative * abs(a))


def outputs_match(output: bytes, answer: bytes, flags: DefaultValidatorFlags = NO_FLAGS) -> bool:
    """Whether the output matches the answer under the default validator's rules."""
    if output == answer:
        return True
    if flags.space_change_sensitive:
        for got, expected in zip_longest(_RUN.finditer(output), _RUN.finditer(answer)):
            if got is None or expected is None:
                return False
            g, e = got.group(), expected.group()
            if e[:1].isspace() or g[:1].isspace():
                if g != e:  # whitespace must match in kind and amount
                    return False
            elif not tokens_match(g, e, flags):
                return False
        return True
    for got, expected in zip_longest(_tokens(output), _tokens(answer)):
        if got is None or expected is None:
            return False
        if not tokens_match(got, expected, flags):
            return False
    return True


def files_match(output: Path, answer: Path, flags: DefaultValidatorFlags = NO_FLAGS) -> bool:
    """`outputs_match` on two files (blocking: call it in a thread for big files)."""
    return outputs_match(output.read_bytes(), answer.read_bytes(), flags)
