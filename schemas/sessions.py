"""Schemas of training sessions."""

from typing import Any

from marshmallow import Schema, fields

from .common import IsoDateTime, RequestSchema, body_id_field, id_field


class SessionCreateSchema(RequestSchema):
    """`POST /training-sessions` body."""

    team_id = body_id_field()
    contest_id = body_id_field()


class SessionQuerySchema(RequestSchema):
    """`GET /training-sessions?team_id=&contest_id=`."""

    team_id = id_field()
    contest_id = id_field()


class SessionSchema(Schema):
    """A training session, dumped from its record."""

    id = fields.String(required=True, metadata={"description": "UUID"})
    team_id = fields.Integer(required=True)
    contest_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"example": "IN_PROCESS"})
    dt_created = IsoDateTime(required=True)
    dt_finished = IsoDateTime(required=True, allow_none=True)
    ends_at = IsoDateTime(required=True)


def _contest_state(participation: Any) -> str:
    return "FINISHED" if participation.finished else "IN_PROGRESS"


class ParticipationSchema(Schema):
    """Times of a session's virtual participation, dumped from a Participation."""

    participantStartTime = IsoDateTime(required=True, attribute="start")
    participantFinishTime = IsoDateTime(required=True, attribute="finish")
    participantLeftTime = fields.Integer(
        required=True, attribute="seconds_left", metadata={"description": "seconds, 0 when over"}
    )
    contestState = fields.Function(_contest_state, required=True, metadata={"type": "string", "example": "IN_PROGRESS"})


class EmptySchema(RequestSchema):
    """An empty body `{}`."""
