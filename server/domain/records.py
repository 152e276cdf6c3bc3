"""The durable records as the domain knows them: users, teams, sessions, submissions, comments, progress.

The store reads and writes these; services pass them around; rooms and events carry them; the
wire layer (schemas/) dumps them. Field names are the domain's (snake_case, ints, datetimes), never
the wire's: a user id is an int here and a string of digits on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

IN_PROCESS = "IN_PROCESS"
FINISHED = "FINISHED"

NOT_SUBMITTED = "NOT_SUBMITTED"
FAILED = "FAILED"
PASSED = "PASSED"


@dataclass(frozen=True, slots=True)
class User:
    """A user (their password hash stays in the store: see UserRepository.credentials)."""

    id: int
    login: str
    first_name: str
    last_name: str


@dataclass(frozen=True, slots=True)
class Team:
    """A team with its members in the order they joined, its owner, and (where asked for) whom it invited.

    The owner is the creator, or after the creator left the longest-standing member: the one who may
    remove others (docs in README, "Teams and invitations").
    """

    id: int
    name: str
    members: tuple[User, ...]
    owner_id: int
    invited: tuple[User, ...] = ()

    def has_member(self, user_id: int) -> bool:
        """True when the user belongs to the team."""
        return any(m.id == user_id for m in self.members)


@dataclass(frozen=True, slots=True)
class Invitation:
    """A pending invitation of a user to a team, by a member of it."""

    team: TeamSummary
    user: User
    inviter: User
    dt_created: datetime


@dataclass(frozen=True, slots=True)
class InviteCode:
    """A registration invite code as listed (the code itself is shown once, at creation)."""

    id: int
    creator_id: int
    uses_left: int
    dt_created: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token's owner and when it was last used (what idle expiry and the per-user cap look at)."""

    user: User
    last_used: datetime


@dataclass(frozen=True, slots=True)
class TeamSummary:
    """A team in a listing: id and name only."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class TrainingSession:
    """A team's virtual participation in a contest."""

    id: str
    team_id: int
    contest_id: int
    status: str
    dt_created: datetime
    dt_finished: datetime | None
    ends_at: datetime

    @property
    def running(self) -> bool:
        """True while the session is IN_PROCESS."""
        return self.status == IN_PROCESS

    def over_at(self, now: datetime) -> bool:
        """True once finished or past its end: submissions from then on are upsolving."""
        return not self.running or now >= self.ends_at


@dataclass(frozen=True, slots=True)
class Participation:
    """Start, finish and seconds left of a session's virtual participation."""

    start: datetime
    finish: datetime
    seconds_left: int
    finished: bool


@dataclass(frozen=True, slots=True)
class TestRecord:
    """One test's result as stored in a submission's checker log."""

    __test__ = False  # keep pytest from collecting this class

    sequence_number: int  # 1-based position among the problem's tests
    test_name: str
    verdict: str
    running_time: int  # ms of CPU time
    memory_used: int  # bytes
    message: str = ""  # the problem's own validator's feedback (judgemessage.txt, a testlib comment)


@dataclass(frozen=True, slots=True)
class Submission:
    """A submission; `source` and the logs are filled only where the full record was read."""

    id: int
    session_id: str
    problem_alias: str
    author_id: int
    compiler: str
    verdict: str
    score: int
    time_ms: int
    memory: int
    failed_test: int
    time_from_start: int  # ms since the session's start
    dt_submitted: datetime
    upsolving: bool
    source: bytes = b""
    compile_log: str = ""
    checker_log: tuple[TestRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What judging decided for a submission."""

    verdict: str
    score: int
    time_ms: int
    memory: int
    failed_test: int
    compile_log: str
    checker_log: tuple[TestRecord, ...]


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on a problem of a session, with its author."""

    id: str
    session_id: str
    problem_alias: str
    author: User
    content: str
    dt_created: datetime
    dt_updated: datetime


@dataclass(frozen=True, slots=True)
class ProblemState:
    """A problem's status and number of judged submissions in one session."""

    status: str = NOT_SUBMITTED
    attempts: int = 0


def next_state(state: ProblemState, accepted: bool) -> ProblemState:
    """The state after one more judged submission: PASSED stays PASSED."""
    if state.status == PASSED or accepted:
        return ProblemState(PASSED, state.attempts + 1)
    return ProblemState(FAILED, state.attempts + 1)
