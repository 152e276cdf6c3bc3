"""Schemas of training sessions."""

from marshmallow import Schema, fields

from .common import RequestSchema, body_id_field, id_field


class SessionCreateSchema(RequestSchema):
    """`POST /training-sessions` body."""

    team_id = body_id_field()
    contest_id = body_id_field()


class SessionQuerySchema(RequestSchema):
    """`GET /training-sessions?team_id=&contest_id=`."""

    team_id = id_field()
    contest_id = id_field()


class SessionSchema(Schema):
    """A training session."""

    id = fields.String(required=True, metadata={"description": "UUID"})
    team_id = fields.Integer(required=True)
    contest_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"example": "IN_PROCESS"})
    dt_created = fields.String(required=True)
    dt_finished = fields.String(required=True, allow_none=True)
    ends_at = fields.String(required=True)


class ParticipationSchema(Schema):
    """Times of a session's virtual participation."""

    participantStartTime = fields.String(required=True)
    participantFinishTime = fields.String(required=True)
    participantLeftTime = fields.Integer(required=True, metadata={"description": "seconds, 0 when over"})
    contestState = fields.String(required=True, metadata={"example": "IN_PROGRESS"})


class EmptySchema(RequestSchema):
    """An empty body `{}`."""
