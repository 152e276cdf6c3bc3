"""Schemas of the REST getters backed by room state (SPEC §5)."""

from marshmallow import Schema, fields


class SelectedContestSchema(Schema):
    """`{"contestId": int or null}`."""

    contestId = fields.Integer(required=True, allow_none=True)


class CodeSchema(Schema):
    """`{"code": str}`, `""` when nobody typed yet."""

    code = fields.String(required=True)


class ControlSchema(Schema):
    """`{"userId": str or null}`: who holds control of the editor."""

    userId = fields.String(required=True, allow_none=True, metadata={"example": "17"})


class CompilerChoiceSchema(Schema):
    """`{"compiler": str or null}`: the compiler selected for a problem."""

    compiler = fields.String(required=True, allow_none=True, metadata={"example": "gcc_cpp20"})
