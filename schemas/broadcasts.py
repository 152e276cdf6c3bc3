"""Schemas of the payloads the server sends over WebSocket, dumped from rooms and domain records.

The client's messages are in schemas/ws.py. Each schema here documents one server message in
the AsyncAPI document (`/asyncapi.json`) and is the one place its shape is defined
(docs/protocol.md lists which message carries which).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_dump

from .comments import CommentSchema
from .common import IsoDateTime, UserSchema, ValueSchema
from .submissions import SubmissionSchema


class UserIdSchema(ValueSchema):
    """`{"userId": "17"}` (USER_JOIN, USER_LEAVE, CONTROL_TAKEN), dumped from the int id."""

    key = "userId"
    userId = fields.String(required=True, metadata={"example": "17", "description": "digits"})


class UserMessageSchema(ValueSchema):
    """USER: `{"user": user}`, the sender's stored user object."""

    key = "user"
    user = fields.Nested(UserSchema, required=True)


class ContestSelectedOutSchema(ValueSchema):
    """CONTEST_SELECTED as broadcast: `{"contestId": int}`."""

    key = "contestId"
    contestId = fields.Integer(required=True)


class CodeEditorUpdateOutSchema(Schema):
    """CODE_EDITOR_UPDATE as broadcast: the text, its problem and the sender.

    Built directly on the hot path by server/ws/messages.py; tests/test_wire.py checks it against this schema.
    """

    code = fields.String(required=True)
    problemAlias = fields.String(required=True)
    userId = fields.String(required=True, metadata={"description": "the sender, digits"})


class ProblemAssignedOutSchema(Schema):
    """PROBLEM_ASSIGNED as broadcast: the stored user object (or null) and the problem."""

    user = fields.Nested(UserSchema, required=True, allow_none=True)
    problemAlias = fields.String(required=True)


class CompilerSelectedOutSchema(Schema):
    """COMPILER_SELECTED as broadcast."""

    compiler = fields.String(required=True)
    problemAlias = fields.String(required=True)


class LobbyStateSchema(Schema):
    """ROOM_STATE of a lobby, dumped from the LobbyRoom."""

    teamId = fields.Integer(required=True)
    users = fields.List(fields.Nested(UserSchema), required=True)
    selectedContestId = fields.Integer(required=True, allow_none=True)

    @pre_dump
    def _project(self, room: Any, **kwargs: Any) -> dict[str, Any]:
        return {"teamId": room.team_id, "users": room.users(), "selectedContestId": room.selected_contest_id}


class ProblemProgressSchema(Schema):
    """A problem's status and attempts in ROOM_STATE."""

    alias = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)


class TrainingStateSchema(Schema):
    """ROOM_STATE of a training room, dumped from the TrainingRoom: every alias of the contest is listed."""

    trainingSessionId = fields.String(required=True)
    status = fields.String(required=True, metadata={"example": "IN_PROCESS"})
    users = fields.List(fields.Nested(UserSchema), required=True)
    controllerId = fields.String(required=True, allow_none=True, metadata={"description": "digits"})
    code = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    compilers = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), required=True)
    assignments = fields.Dict(keys=fields.String(), values=fields.Nested(UserSchema, allow_none=True), required=True)
    problems = fields.List(fields.Nested(ProblemProgressSchema), required=True)

    @pre_dump
    def _project(self, room: Any, **kwargs: Any) -> dict[str, Any]:
        aliases = room.aliases
        return {
            "trainingSessionId": room.session_id,
            "status": room.status,
            "users": room.users(),
            "controllerId": room.controller_id,
            "code": {a: room.code.get(a, "") for a in aliases},
            "compilers": {a: room.compilers.get(a) for a in aliases},
            "assignments": {a: room.assignments.get(a) for a in aliases},
            "problems": [
                {"alias": a, "status": room.problems[a].status, "attempts": room.problems[a].attempts} for a in aliases
            ],
        }


class TrainingStartedSchema(Schema):
    """TRAINING_STARTED (lobby), dumped from the session."""

    id = fields.String(required=True)
    status = fields.String(required=True, metadata={"example": "IN_PROCESS"})
    dtCreated = IsoDateTime(required=True, attribute="dt_created")


class TrainingFinishedSchema(Schema):
    """TRAINING_FINISHED and CONTEST_FINISHED (training room and lobby), dumped from the finished session."""

    id = fields.String(required=True)
    teamId = fields.Integer(required=True, attribute="team_id")
    contestId = fields.Integer(required=True, attribute="contest_id")
    status = fields.String(required=True, metadata={"example": "FINISHED"})


class ProblemStatusUpdatedSchema(Schema):
    """PROBLEM_STATUS_UPDATED, dumped from ProblemProgressed."""

    problemAlias = fields.String(required=True, attribute="problem_alias")
    status = fields.String(required=True)


class ProblemAttemptsUpdatedSchema(Schema):
    """PROBLEM_ATTEMPTS_UPDATED, dumped from ProblemProgressed."""

    problemAlias = fields.String(required=True, attribute="problem_alias")
    attempts = fields.Integer(required=True)


class CommentDeletedSchema(Schema):
    """PROBLEM_COMMENT_DELETED, dumped from CommentDeleted."""

    commentId = fields.String(required=True, attribute="comment_id")


class ErrorPayloadSchema(Schema):
    """ERROR, to the sender of a message that was not applied."""

    code = fields.String(required=True, metadata={"example": "NOT_IN_CONTROL"})
    message = fields.String(required=True)
    details = fields.Dict(required=True)
    requestType = fields.String(required=True, allow_none=True, attribute="request_type")


__all__ = [
    "CodeEditorUpdateOutSchema",
    "CommentDeletedSchema",
    "CommentSchema",
    "CompilerSelectedOutSchema",
    "ContestSelectedOutSchema",
    "ErrorPayloadSchema",
    "LobbyStateSchema",
    "ProblemAssignedOutSchema",
    "ProblemAttemptsUpdatedSchema",
    "ProblemStatusUpdatedSchema",
    "SubmissionSchema",
    "TrainingFinishedSchema",
    "TrainingStartedSchema",
    "TrainingStateSchema",
    "UserIdSchema",
    "UserMessageSchema",
]
