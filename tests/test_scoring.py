"""ICPC scoring rules, tested directly on the pure module."""

from __future__ import annotations

from typing import Any

from schemas.submissions import StandingsSchema
from server.scoring import Attempt, Participant
from server.scoring import standings as rank

TITLES = [("A", "Alpha"), ("B", "Beta")]
P1, P2, P3 = Participant("s1", "Blue"), Participant("s2", "Red"), Participant("s3", "Green")
MIN = 60_000


def standings(titles: list[tuple[str, str]], participants: list[Participant], attempts: list[Attempt]) -> Any:
    """The ranked standings as the client reads them (scoring's result dumped through its schema)."""
    return StandingsSchema().dump(rank(titles, participants, attempts))


def test_penalty_counts_rejections_before_ok_but_not_compile_errors() -> None:
    attempts = [
        Attempt("s1", "A", "WrongAnswer", 5 * MIN),
        Attempt("s1", "A", "CompilationError", 6 * MIN),
        Attempt("s1", "A", "TimeLimitExceeded", 7 * MIN),
        Attempt("s1", "A", "OK", 10 * MIN + 59_000),
        Attempt("s1", "A", "WrongAnswer", 11 * MIN),  # after OK: ignored
        Attempt("s1", "B", "RuntimeError", 20 * MIN),
    ]
    doc = standings(TITLES, [P1], attempts)
    assert doc["titles"] == [{"name": "A", "title": "Alpha"}, {"name": "B", "title": "Beta"}]
    (row,) = doc["rows"]
    assert row["score"] == "1" and row["penalty"] == 10 + 2 * 20
    assert row["problemResults"] == [
        {"status": "ACCEPTED", "submissionCount": "3", "submitDelay": 659},
        {"status": "NOT_ACCEPTED", "submissionCount": "1", "submitDelay": 1200},
    ]


def test_ranking_solved_then_penalty_then_last_accept_and_ties_share_places() -> None:
    attempts = [
        Attempt("s1", "A", "OK", 30 * MIN),
        Attempt("s2", "A", "OK", 10 * MIN),
        Attempt("s2", "B", "OK", 50 * MIN),
        Attempt("s3", "A", "OK", 30 * MIN),
        Attempt("s3", "B", "OK", 40 * MIN, upsolving=True),  # upsolving never counts
        Attempt("s1", "B", "No report", 1 * MIN),  # pending never counts
    ]
    doc = standings(TITLES, [P1, P3, P2], attempts)
    assert [(r["participantInfo"]["name"], r["placeFrom"], r["placeTo"]) for r in doc["rows"]] == [
        ("Red", [1], [1]),
        ("Blue", [2], [3]),
        ("Green", [2], [3]),
    ]
    assert doc["rows"][0]["penalty"] == 60 and doc["rows"][0]["score"] == "2"


def test_nobody_submitted() -> None:
    doc = standings(TITLES, [P1, P2], [])
    assert all(r["placeFrom"] == [1] and r["placeTo"] == [2] for r in doc["rows"])
    assert doc["rows"][0]["problemResults"][0] == {"status": "NOT_SUBMITTED", "submissionCount": "0", "submitDelay": 0}


def test_compilation_errors_alone_leave_a_cell_not_submitted() -> None:
    doc = standings(TITLES, [P1], [Attempt("s1", "A", "CompilationError", 3 * MIN)])
    assert doc["rows"][0]["problemResults"][0] == {"status": "NOT_SUBMITTED", "submissionCount": "0", "submitDelay": 0}
