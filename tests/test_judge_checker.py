"""Tests for the token-by-token answer checker."""

from pathlib import Path

import pytest

from server.judge.checker import files_match, outputs_match, tokens_match

EXACT = [
    (b"3\n", b"3\n", True),
    (b"3", b"3\n", True),  # missing final newline
    (b"  1   2\n3 \n", b"1 2 3", True),  # any whitespace layout
    (b"1\r\n2\r\n", b"1\n2\n", True),  # Windows line ends
    (b"1\t2", b"1 2", True),
    (b"", b"", True),
    (b"\n\n", b"", True),
    (b"1 2", b"1 2 3", False),  # too short
    (b"1 2 3", b"1 2", False),  # extra token
    (b"", b"1", False),
    (b"1", b"", False),
    (b"YES", b"yes", False),  # case matters
    (b"12", b"1 2", False),  # tokens are not glued
    (b"1.0", b"1", False),  # no numeric comparison without tolerance
    (b"3.0000001", b"3", False),
]

FLOATS = [
    (b"3.0000001", b"3", True),
    (b"1", b"1.0000005", True),  # absolute 1e-6
    (b"1", b"1.000002", False),
    (b"1000000.5", b"1000000", True),  # relative 1e-6
    (b"1000002", b"1000000", False),
    (b"-0.0000001", b"0", True),
    (b"1e-7", b"0", True),
    (b"1E3", b"1000", True),
    (b".5", b"0.5", True),
    (b"5.", b"5", True),
    (b"+2.5", b"2.5", True),
    (b"2.5 abc", b"2.5000001 abc", True),  # words still compare exactly
    (b"abc", b"abd", False),
    (b"nan", b"nan", True),  # equal as text
    (b"nan", b"0", False),  # not a number by our rules
    (b"inf", b"1e999", False),
    (b"1e999", b"1e999", True),  # same text
    (b"1e999", b"2e999", False),  # overflow is not "close"
    (b"1_0", b"10", False),  # float() would accept underscores
    (b"0x10", b"16", False),
    (b"1.0 2.0", b"1.0", False),
]


@pytest.mark.parametrize(("output", "answer", "expected"), EXACT)
def test_exact(output: bytes, answer: bytes, expected: bool) -> None:
    assert outputs_match(output, answer) is expected


@pytest.mark.parametrize(("output", "answer", "expected"), FLOATS)
def test_float_tolerance(output: bytes, answer: bytes, expected: bool) -> None:
    assert outputs_match(output, answer, float_tolerance=True) is expected


def test_exact_cases_hold_with_tolerance_when_not_numeric() -> None:
    assert tokens_match(b"YES", b"YES", True)
    assert not tokens_match(b"YES", b"NO", True)


def test_files_match(tmp_path: Path) -> None:
    out, ans = tmp_path / "out", tmp_path / "ans"
    out.write_bytes(b"1 2\n3\n")
    ans.write_bytes(b"1\n2\n3\n")
    assert files_match(out, ans)
    out.write_bytes(b"1 2\n4\n")
    assert not files_match(out, ans)


def test_large_output_stops_early() -> None:
    answer = b"1\n" * 1000
    assert not outputs_match(b"2\n" + b"1\n" * 10_000_000, answer)
