"""Schemas of the WebSocket envelope and of each client message's payload (docs/protocol.md)."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from .common import WS_ID_MAX, IdField, RequestSchema, body_id_field


def user_id_field(**kwargs: Any) -> IdField:
    """A user id in a client message: a string of digits or an integer; loads as int."""
    return IdField(minimum=0, maximum=WS_ID_MAX, **kwargs)


class PayloadSchema(RequestSchema):
    """Base of client payloads: extra fields are ignored (the server rebuilds what it broadcasts); no NUL."""


class EnvelopeSchema(Schema):
    """`{"type": str, "payload": object}`; anything else in the frame is ignored."""

    class Meta:
        unknown = EXCLUDE

    type = fields.String(required=True)
    payload = fields.Dict(required=True)


class UserPayloadSchema(PayloadSchema):
    """USER: the sender's user object (replaced by the stored one)."""

    user = fields.Dict(required=True)


class ContestSelectedSchema(PayloadSchema):
    """CONTEST_SELECTED: a loaded contest's id."""

    contestId = body_id_field()


class CodeEditorUpdateSchema(PayloadSchema):
    """CODE_EDITOR_UPDATE: one problem's whole editor content."""

    code = fields.String(required=True)
    problemAlias = fields.String(required=True)


class ControlTakenSchema(PayloadSchema):
    """CONTROL_TAKEN: the sender's own id."""

    userId = user_id_field(required=True)


class UserRefSchema(PayloadSchema):
    """A user object of which only `id` is read."""

    id = user_id_field(required=True)


class ProblemAssignedSchema(PayloadSchema):
    """PROBLEM_ASSIGNED: a team member (or null to clear) for a problem."""

    user = fields.Nested(UserRefSchema, required=True, allow_none=True)
    problemAlias = fields.String(required=True)


class CompilerSelectedSchema(PayloadSchema):
    """COMPILER_SELECTED: a known compiler id for a problem."""

    compiler = fields.String(required=True)
    problemAlias = fields.String(required=True)


def validation_details(error: ValidationError) -> dict[str, Any]:
    """Field messages of a failed load, as an ERROR's details."""
    messages = error.messages
    return {"fields": messages if isinstance(messages, dict) else {"_schema": messages}}
