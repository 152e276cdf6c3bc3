"""The default output validator: tokens, case, whitespace and float tolerances as the package spec defines them."""

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.judge.checker import (
    DefaultValidatorFlags,
    default_flags,
    files_match,
    outputs_match,
    tokens_match,
)

F = DefaultValidatorFlags.parse

EXACT = [
    (b"3\n", b"3\n", True),
    (b"3", b"3\n", True),  # missing final newline
    (b"  1   2\n3 \n", b"1 2 3", True),  # any whitespace layout
    (b"1\r\n2\r\n", b"1\n2\n", True),  # Windows line ends
    (b"1\t2\x0b3\x0c4", b"1 2 3 4", True),  # every ASCII whitespace separates
    (b"", b"", True),
    (b"\n\n", b"", True),
    (b"1 2", b"1 2 3", False),  # too short
    (b"1 2 3", b"1 2", False),  # extra token
    (b"", b"1", False),
    (b"1", b"", False),
    (b"YES", b"yes", True),  # case-insensitive by default
    (b"Possible", b"POSSIBLE", True),
    (b"\xc3\xa9", b"\xc3\x89", False),  # only ASCII letters fold (é vs É in UTF-8)
    (b"12", b"1 2", False),  # tokens are not glued
    (b"1.0", b"1", False),  # no numeric comparison without a tolerance
    (b"3.0000001", b"3", False),
    (b"1\xa02", b"1 2", False),  # a non-breaking space is not whitespace
]


@pytest.mark.parametrize(("output", "answer", "expected"), EXACT)
def test_default_flags(output: bytes, answer: bytes, expected: bool) -> None:
    assert outputs_match(output, answer) is expected
    assert outputs_match(output, answer, DefaultValidatorFlags()) is expected


def test_case_sensitive() -> None:
    flags = F(["case_sensitive"])
    assert not outputs_match(b"YES", b"yes", flags)
    assert outputs_match(b"YES\n", b"YES", flags)


SPACES = [
    (b"1 2\n", b"1 2\n", True),
    (b"1  2\n", b"1 2\n", False),  # amount
    (b"1\t2\n", b"1 2\n", False),  # kind
    (b"1 2", b"1 2\n", False),  # trailing newline counts too
    (b" 1 2\n", b"1 2\n", False),  # leading
    (b"a B\n", b"A b\n", True),  # still case-insensitive
    (b"1 2\n", b"1 2 3\n", False),
]


@pytest.mark.parametrize(("output", "answer", "expected"), SPACES)
def test_space_change_sensitive(output: bytes, answer: bytes, expected: bool) -> None:
    assert outputs_match(output, answer, F(["space_change_sensitive"])) is expected


def test_space_change_sensitive_with_floats() -> None:
    flags = F(["space_change_sensitive", "float_tolerance", "1e-3"])
    assert outputs_match(b"1.0001 x\n", b"1 x\n", flags)
    assert not outputs_match(b"1.0001  x\n", b"1 x\n", flags)


FLOATS_1E6 = [
    (b"3.0000001", b"3", True),
    (b"1", b"1.0000005", True),  # absolute 1e-6
    (b"1", b"1.000002", False),
    (b"1000000.5", b"1000000", True),  # relative 1e-6
    (b"1000002", b"1000000", False),
    (b"-0.0000001", b"0", True),
    (b"1e-7", b"0", True),
    (b"1E3", b"1000", True),
    (b"3.14000000e-2", b"0.0314", True),  # any formatting of the number
    (b".5", b"0.5", True),
    (b"5.", b"5", True),
    (b"+2.5", b"2.5", True),
    (b"2.5 abc", b"2.5000001 ABC", True),  # words compare as text (case-insensitive)
    (b"abc", b"abd", False),
    (b"abc", b"1.5", False),  # the answer is a number: the output must be one
    (b"nan", b"nan", True),  # not a number by the grammar: equal as text
    (b"NaN", b"nan", True),
    (b"nan", b"0", False),
    (b"inf", b"1e999", False),
    (b"1e999", b"1e999", True),  # same text
    (b"1e999", b"2e999", False),  # overflow is never "close"
    (b"1_0", b"10", False),  # float() would accept underscores
    (b"0x10", b"16", False),
    (b"1.0 2.0", b"1.0", False),
    (b"1e", b"1", False),
    (b".", b"0", False),
    (b"--1", b"-1", False),
]


@pytest.mark.parametrize(("output", "answer", "expected"), FLOATS_1E6)
def test_float_tolerance(output: bytes, answer: bytes, expected: bool) -> None:
    assert outputs_match(output, answer, F(["float_tolerance", "1e-6"])) is expected


def test_absolute_and_relative_apart() -> None:
    absolute = F(["float_absolute_tolerance", "0.1"])
    relative = F(["float_relative_tolerance", "0.1"])
    assert outputs_match(b"100.05", b"100", absolute) and not outputs_match(b"109", b"100", absolute)
    assert outputs_match(b"109", b"100", relative) and not outputs_match(b"0.05", b"0", relative)
    both = F(["float_absolute_tolerance", "0.1", "float_relative_tolerance", "0.1"])
    assert outputs_match(b"0.05", b"0", both) and outputs_match(b"109", b"100", both)  # either suffices
    assert not outputs_match(b"112", b"100", both)


def test_integers_compare_as_floats_with_a_tolerance() -> None:
    assert outputs_match(b"100.0", b"100", F(["float_tolerance", "1e-9"]))
    assert not outputs_match(b"100.0", b"100")


def test_zero_tolerance_is_exact_value() -> None:
    assert outputs_match(b"1.000", b"1", F(["float_absolute_tolerance", "0"]))
    assert not outputs_match(b"1.001", b"1", F(["float_absolute_tolerance", "0"]))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["float_tolerance"], "needs a value"),
        (["float_tolerance", "abc"], "needs a number"),
        (["float_tolerance", "1e999"], "not finite"),
        (["float_relative_tolerance", "-1e-6"], "negative"),
        (["float_tolerance", "1e-6", "float_tolerance", "1e-5"], "twice"),
        (["float_tolerance", "1e-6", "float_absolute_tolerance", "1e-5"], "cannot be combined"),
        (["ignore_case"], "unknown"),
    ],
)
def test_bad_flags(flags: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        F(flags)


def test_parsed_flags() -> None:
    assert F([]) == DefaultValidatorFlags()
    assert F(["case_sensitive", "float_tolerance", "1e-4"]) == DefaultValidatorFlags(True, False, 1e-4, 1e-4)
    assert F(["float_relative_tolerance", "1e-3"]).float_absolute_tolerance is None
    assert default_flags(()) == DefaultValidatorFlags()
    assert default_flags(("float_tolerance", "0.5")).float_absolute_tolerance == 0.5


def test_files_match(tmp_path: Path) -> None:
    out, ans = tmp_path / "out", tmp_path / "ans"
    out.write_bytes(b"1 2\n3\n")
    ans.write_bytes(b"1\n2\n3\n")
    assert files_match(out, ans)
    assert not files_match(out, ans, F(["space_change_sensitive"]))
    out.write_bytes(b"1 2\n4\n")
    assert not files_match(out, ans)


def test_large_output_stops_early() -> None:
    answer = b"1\n" * 1000
    assert not outputs_match(b"2\n" + b"1\n" * 10_000_000, answer)


# Properties

_words = st.lists(st.from_regex(rb"[!-~]{1,8}", fullmatch=True), max_size=12)
_spaces = st.sampled_from([b" ", b"\n", b"\t", b"\r\n", b"  ", b"\x0b", b"\x0c"])


@given(_words, st.data())
def test_any_whitespace_layout_matches(words: list[bytes], data: st.DataObject) -> None:
    layout = b"".join(w + data.draw(_spaces) for w in words)
    assert outputs_match(layout, b" ".join(words))
    assert outputs_match(layout.upper(), b" ".join(words))  # and any ASCII case


@given(_words)
def test_identical_output_always_matches(words: list[bytes]) -> None:
    text = b"\n".join(words)
    for flags in ([], ["case_sensitive"], ["space_change_sensitive"], ["float_tolerance", "0"]):
        assert outputs_match(text, text, F(flags))


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.sampled_from([0.0, 1e-9, 1e-6, 1e-3, 0.5]),
)
def test_float_rule(s: float, a: float, epsilon: float) -> None:
    got, answer = repr(s).encode(), repr(a).encode()
    expected = abs(s - a) <= epsilon or abs(s - a) <= epsilon * abs(a) or got == answer
    assert tokens_match(got, answer, F(["float_tolerance", repr(epsilon)])) is expected
    assert tokens_match(b"%.17e" % s, answer, F(["float_tolerance", repr(epsilon)])) is expected


@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(min_value=1e-12, max_value=1.0))
def test_relative_tolerance_scales(a: float, epsilon: float) -> None:
    near = a + a * epsilon / 2
    if math.isfinite(near):
        assert tokens_match(repr(near).encode(), repr(a).encode(), F(["float_relative_tolerance", repr(epsilon)]))
