"""Schemas of the WebSocket envelope and of each client message's payload (SPEC §6)."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

_MAX_ID_DIGITS = 18


class UserIdField(fields.Field):
    """A user id as the client may send it: a string of digits or an integer; loads as int."""

    default_error_messages = {"invalid": "Not a valid user id (a string of digits or an integer)."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int) and 0 <= value < 10**_MAX_ID_DIGITS:
            return value
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= _MAX_ID_DIGITS:
            return int(value)
        raise self.make_error("invalid")

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class PayloadSchema(Schema):
    """Base of client payloads: extra fields are ignored (the server rebuilds what it broadcasts)."""

    class Meta:
        unknown = EXCLUDE


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

    contestId = fields.Integer(required=True, strict=True)


class CodeEditorUpdateSchema(PayloadSchema):
    """CODE_EDITOR_UPDATE: one problem's whole editor content."""

    code = fields.String(required=True)
    problemAlias = fields.String(required=True)


class ControlTakenSchema(PayloadSchema):
    """CONTROL_TAKEN: the sender's own id."""

    userId = UserIdField(required=True)


class UserRefSchema(PayloadSchema):
    """A user object of which only `id` is read."""

    id = UserIdField(required=True)


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
