"""A training room: shared editors, who has control, assignments, compilers, problem progress."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..domain.errors import (
    CodeTooLarge,
    NotInControl,
    NotTeamMember,
    NotYourself,
    RoomCodeFull,
    UnknownCompiler,
    UnknownProblem,
)
from ..domain.events import DomainEvent, ProblemProgressed, SessionFinished
from ..domain.records import FAILED, FINISHED, IN_PROCESS, NOT_SUBMITTED, PASSED, TrainingSession, User
from .base import SNAPSHOT_VERSION, Room, RoomKind, check_snapshot, check_str_map

# Problem status only moves forward (docs/protocol.md), so merging by rank is safe in any order.
STATUS_RANK = {NOT_SUBMITTED: 0, FAILED: 1, PASSED: 2}
DEFAULT_ROOM_CODE_BYTES = 2_097_152  # MAX_ROOM_CODE_BYTES: all the editors of one room together


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What a training room knows of its session from the store and the contest, fixed at construction."""

    team_id: int
    contest_id: int
    aliases: tuple[str, ...]  # the contest's problems, sorted
    finished: bool

    @classmethod
    def of(cls, session: TrainingSession, aliases: Iterable[str]) -> SessionFacts:
        """The facts of a stored session whose contest has these problem aliases."""
        return cls(session.team_id, session.contest_id, tuple(sorted(aliases)), not session.running)

    @classmethod
    def of_aliases(cls, team_id: int, contest_id: int, aliases: Iterable[str]) -> SessionFacts:
        """The facts of a running session, for rooms built outside the store (tests, benchmarks)."""
        return cls(team_id, contest_id, tuple(sorted(aliases)), False)


@dataclass(slots=True)
class ProblemProgress:
    """A problem's status and judged attempts as the room shows them."""

    status: str = NOT_SUBMITTED
    attempts: int = 0

    def merge(self, status: str | None = None, attempts: int | None = None) -> None:
        """Take newer knowledge: a later status, a higher attempt count; never go back."""
        if status in STATUS_RANK and STATUS_RANK[status] > STATUS_RANK.get(self.status, -1):
            self.status = status
        if attempts is not None and attempts > self.attempts:
            self.attempts = attempts


def utf8_size(text: str) -> int:
    """The text's size in UTF-8, without encoding ASCII text (the usual case for code)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


class TrainingRoom(Room):
    """The room of one training session (room id = session UUID)."""

    kind: ClassVar[RoomKind] = "training"

    def __init__(self, session_id: str, facts: SessionFacts, max_total_code: int = DEFAULT_ROOM_CODE_BYTES) -> None:
        super().__init__(session_id)
        self.max_total_code = max_total_code  # the registry sets MAX_ROOM_CODE_BYTES on every room it holds
        self.session_id = session_id
        self.team_id = facts.team_id
        self.contest_id = facts.contest_id
        self.aliases = facts.aliases
        self.status = FINISHED if facts.finished else IN_PROCESS
        self.code: dict[str, str] = {}
        self._code_sizes: dict[str, int] = {}  # UTF-8 bytes of each editor, kept with `code`
        self.code_bytes = 0  # their sum
        self.compilers: dict[str, str] = {}
        self.assignments: dict[str, User] = {}
        self.controller_id: int | None = None
        self.problems: dict[str, ProblemProgress] = {alias: ProblemProgress() for alias in facts.aliases}

    def finish(self) -> None:
        """The session is over; a finished session never runs again."""
        self.status = FINISHED

    def apply(self, event: DomainEvent) -> None:
        """A finished session, a judged problem's progress: kept so a newcomer's ROOM_STATE shows them."""
        if isinstance(event, SessionFinished):
            self.finish()
        elif isinstance(event, ProblemProgressed):
            self.merge_problem(event.problem_alias, event.status, event.attempts)

    def _check_alias(self, alias: str) -> None:
        if alias not in self.aliases:
            raise UnknownProblem(f"problem {alias!r} is not in this contest", {"problemAlias": alias})

    def update_code(self, user_id: int, alias: str, code: str, max_bytes: int) -> None:
        """Replace a problem's editor content; the room's editors together stay within max_total_code.

        A text that makes the room bigger than its total is refused (RoomCodeFull); one that shrinks
        it is always taken, so a room restored over a lowered limit can still be cleaned up.
        """
        self._check_alias(alias)
        if len(code) > max_bytes or (size := utf8_size(code)) > max_bytes:  # length alone decides most
            raise CodeTooLarge(f"code is larger than {max_bytes} bytes", {"problemAlias": alias, "maxBytes": max_bytes})
        if self.controller_id is not None and self.controller_id != user_id:
            raise NotInControl("another user holds control of the editor", {"controllerId": str(self.controller_id)})
        total = self.code_bytes - self._code_sizes.get(alias, 0) + size
        if total > self.max_total_code and size > self._code_sizes.get(alias, 0):
            raise RoomCodeFull(
                f"the editors of this room would hold {total} bytes, more than {self.max_total_code} in total",
                {"problemAlias": alias, "maxRoomBytes": self.max_total_code},
            )
        self.code[alias] = code
        self._code_sizes[alias] = size
        self.code_bytes = total
        self.touch()

    def take_control(self, sender_id: int, claimed_id: int) -> None:
        """The sender takes control of the editor."""
        if claimed_id != sender_id:
            raise NotYourself("you can only take control yourself", {"userId": str(claimed_id)})
        self.controller_id = sender_id
        self.touch(urgent=True)

    def assign(self, alias: str, user_id: int | None, members: Mapping[int, User]) -> User | None:
        """Assign a problem to a team member (None clears it); returns the assignee."""
        self._check_alias(alias)
        if user_id is None:
            self.assignments.pop(alias, None)
            self.touch(urgent=True)
            return None
        member = members.get(user_id)
        if member is None:
            raise NotTeamMember(f"user {user_id} is not a member of this team", {"userId": str(user_id)})
        self.assignments[alias] = member
        self.touch(urgent=True)
        return member

    def select_compiler(self, alias: str, compiler: str, known: Container[str]) -> None:
        """Select a problem's compiler."""
        self._check_alias(alias)
        if compiler not in known:
            raise UnknownCompiler(f"unknown compiler {compiler!r}", {"compiler": compiler})
        self.compilers[alias] = compiler
        self.touch(urgent=True)

    def merge_problem(self, alias: str, status: str | None = None, attempts: int | None = None) -> None:
        """Apply a judge update (or stored progress) to the cached progress."""
        self.problems.setdefault(alias, ProblemProgress()).merge(status, attempts)

    def snapshot(self) -> dict[str, Any]:
        """Shallow copies of the durable state (strings and records are immutable, so this is cheap)."""
        return {
            "v": SNAPSHOT_VERSION,
            "code": dict(self.code),
            "compilers": dict(self.compilers),
            "assignments": {
                alias: {"id": u.id, "login": u.login, "first_name": u.first_name, "last_name": u.last_name}
                for alias, u in self.assignments.items()
            },
            "controllerId": self.controller_id,
        }

    def restore(self, state: Mapping[str, Any]) -> None:
        """Load a snapshot; raises ValueError when it is malformed (nothing is applied then)."""
        checked = check_snapshot(
            state, {"code": dict, "compilers": dict, "assignments": dict, "controllerId": (int, type(None))}
        )
        code = check_str_map(checked["code"], "code")
        compilers = check_str_map(checked["compilers"], "compilers")
        assignments = {alias: _stored_user(alias, user) for alias, user in checked["assignments"].items()}
        self.code, self.compilers, self.assignments = code, compilers, assignments
        self._code_sizes = {alias: utf8_size(text) for alias, text in code.items()}
        self.code_bytes = sum(self._code_sizes.values())
        self.controller_id = checked["controllerId"]


def _stored_user(alias: str, user: Any) -> User:
    """An assignee from a snapshot: a record (version 2) or a wire user object with a digit-string id (1)."""
    if not isinstance(user, dict):
        raise ValueError(f"snapshot assignment of {alias!r} is not a user")
    raw_id = user.get("id")
    if isinstance(raw_id, str) and raw_id.isascii() and raw_id.isdigit():
        raw_id = int(raw_id)
    names = [user.get(k) for k in ("login", "first_name", "last_name")]
    if isinstance(raw_id, bool) or not isinstance(raw_id, int) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"snapshot assignment of {alias!r} is not a user")
    return User(raw_id, *names)  # type: ignore[arg-type]
