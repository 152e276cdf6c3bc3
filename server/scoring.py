"""ICPC standings from judged submissions (docs/protocol.md, standings); pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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

    @property
    def status(self) -> str:
        """ACCEPTED, NOT_ACCEPTED (judged, never OK) or NOT_SUBMITTED."""
        if self.accepted_at is not None:
            return "ACCEPTED"
        return "NOT_ACCEPTED" if self.any_judged else "NOT_SUBMITTED"

    @property
    def submission_count(self) -> int:
        """Penalized attempts up to and including the first OK."""
        if self.accepted_at is not None:
            return self.rejected + 1
        return self.rejected if self.any_judged else 0

    @property
    def submit_delay(self) -> int:
        """Seconds to the first OK, or to the last rejected attempt when unsolved."""
        if self.accepted_at is not None:
            return self.accepted_at // 1000
        return self.last_at // 1000 if self.any_judged else 0


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


@dataclass(frozen=True, slots=True)
class Title:
    """A standings column: a problem's alias and name."""

    alias: str
    name: str


@dataclass(frozen=True, slots=True)
class PlacedRow:
    """A ranked row: places shared by equal rows run from place_from to place_to."""

    participant: Participant
    place_from: int
    place_to: int
    solved: int
    penalty: int
    cells: tuple[Cell, ...]  # in column order


@dataclass(frozen=True, slots=True)
class Standings:
    """The columns and the ranked rows."""

    titles: tuple[Title, ...]
    rows: tuple[PlacedRow, ...]


def cell_of(attempts: Iterable[Attempt]) -> Cell:
    """One participant's cell on one problem from its attempts in submission order (upsolving ones skipped)."""
    cell = Cell()
    for attempt in attempts:
        if not attempt.upsolving:
            _apply(cell, attempt)
    return cell


def cells_of(
    aliases: Sequence[str], participant_ids: Iterable[str], attempts: Iterable[Attempt]
) -> dict[str, dict[str, Cell]]:
    """Every participant's cells (by id, then alias) from attempts in submission order."""
    table = {pid: {alias: Cell() for alias in aliases} for pid in participant_ids}
    for attempt in attempts:
        row = table.get(attempt.participant_id)
        if row is None or attempt.upsolving or attempt.alias not in row:
            continue
        _apply(row[attempt.alias], attempt)
    return table


def ranked(
    titles: Sequence[tuple[str, str]], participants: Iterable[Participant], cells: Mapping[str, Mapping[str, Cell]]
) -> Standings:
    """Rank participants by their cells (missing cells are NOT_SUBMITTED); equal rows share places."""
    aliases = [alias for alias, _ in titles]
    rows = [Row(p, {alias: cells.get(p.id, {}).get(alias) or Cell() for alias in aliases}) for p in participants]
    keyed = sorted(((row.rank_key(), n, row) for n, row in enumerate(rows)), key=lambda k: k[:2])  # each key once
    placed: list[PlacedRow] = []
    index = 0
    while index < len(keyed):
        end = index
        while end + 1 < len(keyed) and keyed[end + 1][0] == keyed[index][0]:
            end += 1
        for key, _, row in keyed[index : end + 1]:
            cells_in_order = tuple(row.cells[alias] for alias in aliases)
            placed.append(PlacedRow(row.participant, index + 1, end + 1, -key[0], key[1], cells_in_order))
        index = end + 1
    return Standings(tuple(Title(alias, name) for alias, name in titles), tuple(placed))


def standings(
    titles: Sequence[tuple[str, str]], participants: Sequence[Participant], attempts: Iterable[Attempt]
) -> Standings:
    """Columns (alias, name) and ranked rows from every attempt in submission order: the full recompute."""
    aliases = [alias for alias, _ in titles]
    return ranked(titles, participants, cells_of(aliases, [p.id for p in participants], attempts))
