"""The one mapping from domain events to the rooms that hear them and the wire messages they become.

Every server-originated message type a service causes is named here and nowhere else; payloads are
dumped through schemas/broadcasts.py. A later multi-process deployment publishes the events across
processes and runs this mapping in each (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemas.broadcasts import (
    CommentDeletedSchema,
    ProblemAttemptsUpdatedSchema,
    ProblemStatusUpdatedSchema,
    TrainingFinishedSchema,
    TrainingStartedSchema,
)
from schemas.comments import CommentSchema
from schemas.submissions import SubmissionSchema

from ..domain import events as ev
from ..rooms.base import RoomKind
from . import const
from .framing import Frame
from .messages import encode

RoomKey = tuple[RoomKind, int | str]  # ("lobby", team id) or ("training", session id)
Frames = list[tuple[RoomKey, Frame]]

_STARTED = TrainingStartedSchema()
_FINISHED = TrainingFinishedSchema()
_SUBMISSION = SubmissionSchema()
_STATUS = ProblemStatusUpdatedSchema()
_ATTEMPTS = ProblemAttemptsUpdatedSchema()
_COMMENT = CommentSchema()
_COMMENT_DELETED = CommentDeletedSchema()


def _session_started(e: ev.SessionStarted) -> Frames:
    return [(("lobby", e.session.team_id), encode(const.TRAINING_STARTED, _STARTED.dump(e.session)))]


def _session_finished(e: ev.SessionFinished) -> Frames:
    frame = encode(const.CONTEST_FINISHED if e.expired else const.TRAINING_FINISHED, _FINISHED.dump(e.session))
    return [(("training", e.session.id), frame), (("lobby", e.session.team_id), frame)]


def _submission_queued(e: ev.SubmissionQueued) -> Frames:
    # The web client ignores PENDING and shows "testing" for a RETRIEVED whose verdict is "No report".
    payload = _SUBMISSION.dump(e.submission)
    room: RoomKey = ("training", e.submission.session_id)
    return [
        (room, encode(const.SUBMISSION_VERDICT_PENDING, payload)),
        (room, encode(const.SUBMISSION_VERDICT_RETRIEVED, payload)),
    ]


def _submission_judged(e: ev.SubmissionJudged) -> Frames:
    room: RoomKey = ("training", e.submission.session_id)
    return [(room, encode(const.SUBMISSION_VERDICT_RETRIEVED, _SUBMISSION.dump(e.submission)))]


def _problem_progressed(e: ev.ProblemProgressed) -> Frames:
    room: RoomKey = ("training", e.session_id)
    return [
        (room, encode(const.PROBLEM_STATUS_UPDATED, _STATUS.dump(e))),
        (room, encode(const.PROBLEM_ATTEMPTS_UPDATED, _ATTEMPTS.dump(e))),
    ]


def _comment_posted(e: ev.CommentPosted) -> Frames:
    return [(("training", e.comment.session_id), encode(const.PROBLEM_COMMENT_RECEIVED, _COMMENT.dump(e.comment)))]


def _comment_edited(e: ev.CommentEdited) -> Frames:
    return [(("training", e.comment.session_id), encode(const.PROBLEM_COMMENT_UPDATED, _COMMENT.dump(e.comment)))]


def _comment_deleted(e: ev.CommentDeleted) -> Frames:
    return [(("training", e.session_id), encode(const.PROBLEM_COMMENT_DELETED, _COMMENT_DELETED.dump(e)))]


def _no_message(e: ev.MemberRemoved | ev.TokensRevoked) -> Frames:
    return []  # closes the user's sockets instead (WsHub.on_event); nothing is broadcast


_MAPPING: dict[type[Any], Callable[[Any], Frames]] = {
    ev.SessionStarted: _session_started,
    ev.SessionFinished: _session_finished,
    ev.SubmissionQueued: _submission_queued,
    ev.SubmissionJudged: _submission_judged,
    ev.ProblemProgressed: _problem_progressed,
    ev.CommentPosted: _comment_posted,
    ev.CommentEdited: _comment_edited,
    ev.CommentDeleted: _comment_deleted,
    ev.MemberRemoved: _no_message,
    ev.TokensRevoked: _no_message,
}


def frames_for(event: ev.DomainEvent) -> Frames:
    """The (room, frame) pairs an event becomes, in the order they are to be broadcast."""
    return _MAPPING[type(event)](event)


def mapped_types() -> frozenset[type[Any]]:
    """Every event type with a mapping (tests check it is every event type)."""
    return frozenset(_MAPPING)
