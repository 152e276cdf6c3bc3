"""Schemas of the REST getters backed by room state, each dumped from the bare value."""

from marshmallow import fields

from .common import ValueSchema


class SelectedContestSchema(ValueSchema):
    """`{"contestId": int or null}`."""

    key = "contestId"
    contestId = fields.Integer(required=True, allow_none=True)


class CodeSchema(ValueSchema):
    """`{"code": str}`, `""` when nobody typed yet."""

    key = "code"
    code = fields.String(required=True)


class ControlSchema(ValueSchema):
    """`{"userId": str or null}`: who holds control of the editor."""

    key = "userId"
    userId = fields.String(required=True, allow_none=True, metadata={"example": "17"})


class CompilerChoiceSchema(ValueSchema):
    """`{"compiler": str or null}`: the compiler selected for a problem."""

    key = "compiler"
    compiler = fields.String(required=True, allow_none=True, metadata={"example": "gcc_cpp20"})
