"""A training room: shared editors, who has control, assignments, compilers, problem progress."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..events import RoomKind
from ..store.problem_states import FAILED, NOT_SUBMITTED, PASSED
from ..store.sessions import FINISHED, IN_PROCESS
from ..store.users import User
from .base import SNAPSHOT_VERSION, Room, check_snapshot, check_str_map
from .errors import CodeTooLarge, NotInControl, NotTeamMember, NotYourself, UnknownCompiler, UnknownProblem

# Problem status only moves forward (SPEC §9), so merging by rank is safe whatever order updates arrive in.
STATUS_RANK = {NOT_SUBMITTED: 0, FAILED: 1, PASSED: 2}


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


def exceeds_bytes(text: str, limit: int) -> bool:
    """True when text is longer than limit bytes in UTF-8, without encoding when length decides."""
    if len(text) > limit:
        return True
    if len(text) * 4 <= limit:  # UTF-8 needs at most 4 bytes per character
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limit


class TrainingRoom(Room):
    """The room of one training session (room id = session UUID)."""

    kind: ClassVar[RoomKind] = "training"

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id)
        self.session_id = session_id
        self.team_id: int | None = None
        self.contest_id: int | None = None
        self.aliases: tuple[str, ...] = ()
        self.status = IN_PROCESS
        self.code: dict[str, str] = {}
        self.compilers: dict[str, str] = {}
        self.assignments: dict[str, dict[str, Any]] = {}
        self.controller_id: int | None = None
        self.problems: dict[str, ProblemProgress] = {}
        self.problems_loaded = False

    def bind(self, team_id: int, contest_id: int, aliases: Iterable[str], status: str) -> None:
        """Attach the session's facts (from the store); restored rooms learn them on first use."""
        self.team_id, self.contest_id = team_id, contest_id
        self.aliases = tuple(sorted(aliases))
        for alias in self.aliases:
            self.problems.setdefault(alias, ProblemProgress())
        if status == FINISHED:
            self.finish()

    def finish(self) -> None:
        """The session is over; a finished session never runs again."""
        self.status = FINISHED

    def _check_alias(self, alias: str) -> None:
        if alias not in self.aliases:
            raise UnknownProblem(f"problem {alias!r} is not in this contest", {"problemAlias": alias})

    def update_code(self, user_id: int, alias: str, code: str, max_bytes: int) -> dict[str, Any]:
        """Replace a problem's editor content; returns the CODE_EDITOR_UPDATE payload."""
        self._check_alias(alias)
        if exceeds_bytes(code, max_bytes):
            raise CodeTooLarge(f"code is larger than {max_bytes} bytes", {"problemAlias": alias, "maxBytes": max_bytes})
        if self.controller_id is not None and self.controller_id != user_id:
            raise NotInControl("another user holds control of the editor", {"controllerId": str(self.controller_id)})
        self.code[alias] = code
        self.touch()
        return {"code": code, "problemAlias": alias, "userId": str(user_id)}

    def take_control(self, sender_id: int, claimed_id: int) -> dict[str, Any]:
        """The sender takes control of the editor; returns the CONTROL_TAKEN payload."""
        if claimed_id != sender_id:
            raise NotYourself("you can only take control yourself", {"userId": str(claimed_id)})
        self.controller_id = sender_id
        self.touch(urgent=True)
        return {"userId": str(sender_id)}

    def assign(self, alias: str, user_id: int | None, members: Mapping[int, User]) -> dict[str, Any]:
        """Assign a problem to a team member (None clears it); returns the PROBLEM_ASSIGNED payload."""
        self._check_alias(alias)
        if user_id is None:
            self.assignments.pop(alias, None)
            self.touch(urgent=True)
            return {"user": None, "problemAlias": alias}
        member = members.get(user_id)
        if member is None:
            raise NotTeamMember(f"user {user_id} is not a member of this team", {"userId": str(user_id)})
        wire = member.to_wire()
        self.assignments[alias] = wire
        self.touch(urgent=True)
        return {"user": wire, "problemAlias": alias}

    def select_compiler(self, alias: str, compiler: str, known: Container[str]) -> dict[str, Any]:
        """Select a problem's compiler; returns the COMPILER_SELECTED payload."""
        self._check_alias(alias)
        if compiler not in known:
            raise UnknownCompiler(f"unknown compiler {compiler!r}", {"compiler": compiler})
        self.compilers[alias] = compiler
        self.touch(urgent=True)
        return {"compiler": compiler, "problemAlias": alias}

    def merge_problem(self, alias: str, status: str | None = None, attempts: int | None = None) -> None:
        """Apply a judge update (or a provider's stored state) to the cached progress."""
        self.problems.setdefault(alias, ProblemProgress()).merge(status, attempts)

    def state(self) -> dict[str, Any]:
        """The ROOM_STATE payload for a newcomer: every alias of the contest is listed."""
        aliases = self.aliases
        return {
            "trainingSessionId": self.session_id,
            "status": self.status,
            "users": self.users(),
            "controllerId": None if self.controller_id is None else str(self.controller_id),
            "code": {a: self.code.get(a, "") for a in aliases},
            "compilers": {a: self.compilers.get(a) for a in aliases},
            "assignments": {a: self.assignments.get(a) for a in aliases},
            "problems": [
                {"alias": a, "status": self.problems[a].status, "attempts": self.problems[a].attempts} for a in aliases
            ],
        }

    def assigned_users(self) -> dict[str, dict[str, Any] | None]:
        """Assignee user object (or None) by alias, for every alias the room knows."""
        known = set(self.aliases) | set(self.assignments)
        return {a: self.assignments.get(a) for a in sorted(known)}

    def snapshot(self) -> dict[str, Any]:
        """Shallow copies of the durable state (strings are immutable, so this is cheap)."""
        return {
            "v": SNAPSHOT_VERSION,
            "code": dict(self.code),
            "compilers": dict(self.compilers),
            "assignments": dict(self.assignments),
            "controllerId": self.controller_id,
        }

    def restore(self, state: Mapping[str, Any]) -> None:
        """Load a snapshot; raises ValueError when it is malformed (nothing is applied then)."""
        checked = check_snapshot(
            state, {"code": dict, "compilers": dict, "assignments": dict, "controllerId": (int, type(None))}
        )
        code = check_str_map(checked["code"], "code")
        compilers = check_str_map(checked["compilers"], "compilers")
        assignments = dict(checked["assignments"])
        for alias, user in assignments.items():
            if not isinstance(user, dict) or not isinstance(user.get("id"), str):
                raise ValueError(f"snapshot assignment of {alias!r} is not a user object")
        self.code, self.compilers, self.assignments = code, compilers, assignments
        self.controller_id = checked["controllerId"]
