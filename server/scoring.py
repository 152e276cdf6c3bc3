"""ICPC standings from judged submissions (SPEC §9); pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .judge.verdicts import COMPILATION_ERROR, OK, PENDING

NOT_PENALIZED = frozenset({COMPILATION_ERROR})
PENALTY_MINUTES = 20


@dataclass(frozen=True, slots=True)
class Participant:
    """One standings row: a session with its team's name."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Attempt:
    """A judged in-contest submission as scoring sees it."""

    participant_id: str
    alias: str
    verdict: str
    time_from_start: int  # ms
    upsolving: bool = False


@dataclass
class Cell:
    """One participant's result on one problem."""

    rejected: int = 0  # penalized rejections before the first OK
    any_judged: bool = False
    accepted_at: int | None = None  # ms of the first OK
    last_at: int = 0  # ms of the last counted attempt

    @property
    def penalty(self) -> int:
        """Minutes to the first OK plus 20 per rejection before it; 0 when unsolved."""
        if self.accepted_at is None:
            return 0
        return self.accepted_at // 60_000 + PENALTY_MINUTES * self.rejected

    def to_wire(self) -> dict[str, Any]:
        """The client's problemResults entry."""
        if self.accepted_at is not None:
            status, count, delay = "ACCEPTED", self.rejected + 1, self.accepted_at // 1000
        elif self.any_judged:
            status, count, delay = "NOT_ACCEPTED", self.rejected, self.last_at // 1000
        else:
            status, count, delay = "NOT_SUBMITTED", 0, 0
        return {"status": status, "submissionCount": str(count), "submitDelay": delay}


@dataclass
class Row:
    """A participant's cells and totals."""

    participant: Participant
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def solved(self) -> int:
        """Problems with an OK."""
        return sum(c.accepted_at is not None for c in self.cells.values())

    @property
    def penalty(self) -> int:
        """Total penalty minutes."""
        return sum(c.penalty for c in self.cells.values())

    @property
    def last_accept(self) -> int:
        """The latest first-OK time, which breaks ties."""
        return max((c.accepted_at for c in self.cells.values() if c.accepted_at is not None), default=0)

    def rank_key(self) -> tuple[int, int, int]:
        """Sort key: more solved, less penalty, earlier last accept."""
        return (-self.solved, self.penalty, self.last_accept)


def _apply(cell: Cell, attempt: Attempt) -> None:
    if cell.accepted_at is not None or attempt.verdict in (PENDING, *NOT_PENALIZED):
        return  # attempts after an OK, pending ones and compilation errors count nowhere
    cell.any_judged = True
    if attempt.verdict == OK:
        cell.accepted_at = attempt.time_from_start
        cell.last_at = attempt.time_from_start
    else:
        cell.rejected += 1
        cell.last_at = attempt.time_from_start


def standings(
    titles: Sequence[tuple[str, str]], participants: Sequence[Participant], attempts: Iterable[Attempt]
) -> dict[str, Any]:
    """The standings document: titles (alias, name) and ranked rows; attempts in submission order."""
    aliases = [alias for alias, _ in titles]
    rows = {p.id: Row(p, {alias: Cell() for alias in aliases}) for p in participants}
    for attempt in attempts:
        row = rows.get(attempt.participant_id)
        if row is None or attempt.upsolving or attempt.alias not in row.cells:
            continue
        _apply(row.cells[attempt.alias], attempt)
    ordered = sorted(rows.values(), key=Row.rank_key)
    wire_rows = []
    index = 0
    while index < len(ordered):
        end = index
        while end + 1 < len(ordered) and ordered[end + 1].rank_key() == ordered[index].rank_key():
            end += 1
        for row in ordered[index : end + 1]:
            wire_rows.append(
                {
                    "participantInfo": {"id": row.participant.id, "name": row.participant.name},
                    "placeFrom": [index + 1],
                    "placeTo": [end + 1],
                    "score": str(row.solved),
                    "penalty": row.penalty,
                    "problemResults": [row.cells[alias].to_wire() for alias in aliases],
                }
            )
        index = end + 1
    return {"titles": [{"name": alias, "title": title} for alias, title in titles], "rows": wire_rows}
