"""Typed domain events: what happened, published by services, applied by rooms, mapped to wire messages once.

Each event is a small frozen dataclass named in the past tense, made of records and primitives, so
it can cross a process boundary as JSON (server/domain/codec.py) when rooms live in several
processes. Which rooms hear an event and which wire messages it becomes is decided in one place,
server/ws/outbound.py (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import Comment, Submission, TrainingSession


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """A team's session started, or a start was asked while it runs (announced again for the lobby)."""

    session: TrainingSession


@dataclass(frozen=True, slots=True)
class SessionFinished:
    """A session is over: finished by a member (again, when already over) or by its contest's timer."""

    session: TrainingSession
    expired: bool  # the contest's time ran out (CONTEST_FINISHED), not a member's finish (TRAINING_FINISHED)


@dataclass(frozen=True, slots=True)
class SubmissionQueued:
    """A submission was stored pending and queued for the judge."""

    submission: Submission


@dataclass(frozen=True, slots=True)
class SubmissionJudged:
    """A submission got its final verdict."""

    submission: Submission


@dataclass(frozen=True, slots=True)
class ProblemProgressed:
    """A judged in-contest submission moved a problem's state of a session."""

    session_id: str
    problem_alias: str
    status: str
    attempts: int


@dataclass(frozen=True, slots=True)
class CommentPosted:
    """A member commented on a problem."""

    comment: Comment


@dataclass(frozen=True, slots=True)
class CommentEdited:
    """The author changed a comment."""

    comment: Comment


@dataclass(frozen=True, slots=True)
class CommentDeleted:
    """A member deleted a comment."""

    session_id: str
    comment_id: str


@dataclass(frozen=True, slots=True)
class MemberRemoved:
    """A user left or was removed from a team: their sockets in its rooms lose access now."""

    team_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class TokensRevoked:
    """A user signed out, out everywhere, or changed their password: sockets opened with a revoked token close.

    `revoked` names the token hashes revoked, or is None for every token of the user but `kept`.
    """

    user_id: int
    revoked: tuple[str, ...] | None
    kept: str | None = None

    def covers(self, token_hash: str | None) -> bool:
        """Whether a socket authenticated by this token (None: no token, trust mode) lost its access."""
        if self.revoked is None:
            return token_hash != self.kept or token_hash is None
        return token_hash is not None and token_hash in self.revoked


DomainEvent = (
    SessionStarted
    | SessionFinished
    | SubmissionQueued
    | SubmissionJudged
    | ProblemProgressed
    | CommentPosted
    | CommentEdited
    | CommentDeleted
    | MemberRemoved
    | TokensRevoked
)

EVENT_TYPES: tuple[type[DomainEvent], ...] = DomainEvent.__args__  # type: ignore[attr-defined]
