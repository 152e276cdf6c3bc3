"""Answer comparison: token by token, optionally with a float tolerance."""

import math
import re
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

FLOAT_TOLERANCE = 1e-6

_TOKEN = re.compile(rb"\S+")
# A plain decimal number.  Python's float() alone would also accept "nan",
# "inf" and "1_000", which no answer file means as a number.
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _tokens(data: bytes) -> Iterator[bytes]:
    # Lazily: a 64 MiB output split at once would cost gigabytes of objects.
    return (m.group() for m in _TOKEN.finditer(data))


def tokens_match(got: bytes, expected: bytes, float_tolerance: bool = False) -> bool:
    """Whether one output token matches one answer token."""
    if got == expected:
        return True
    if not float_tolerance:
        return False
    if not (_NUMBER.fullmatch(got) and _NUMBER.fullmatch(expected)):
        return False
    a, b = float(got), float(expected)
    if not (math.isfinite(a) and math.isfinite(b)):  # overflowed exponents
        return False
    diff = abs(a - b)
    return diff <= FLOAT_TOLERANCE or diff <= FLOAT_TOLERANCE * abs(b)


def outputs_match(output: bytes, answer: bytes, float_tolerance: bool = False) -> bool:
    """Whether the output has the answer's tokens, whitespace ignored."""
    if output == answer:
        return True
    for got, expected in zip_longest(_tokens(output), _tokens(answer)):
        if got is None or expected is None:
            return False
        if not tokens_match(got, expected, float_tolerance):
            return False
    return True


def files_match(output: Path, answer: Path, float_tolerance: bool = False) -> bool:
    """`outputs_match` on two files (blocking: call it in a thread for big files)."""
    return outputs_match(output.read_bytes(), answer.read_bytes(), float_tolerance)
