"""Schemas of comments."""

from marshmallow import Schema, fields, validate

from .common import RequestSchema
from .contests import SessionPathSchema

CONTENT = validate.Length(min=1, max=10_000)


class CommentBodySchema(RequestSchema):
    """`{content}`."""

    content = fields.String(required=True, validate=CONTENT)


class CommentSchema(Schema):
    """A comment."""

    id = fields.String(required=True, metadata={"description": "UUID"})
    userId = fields.String(required=True)
    userFirstName = fields.String(required=True)
    userLastName = fields.String(required=True)
    userLogin = fields.String(required=True)
    problemAlias = fields.String(required=True)
    content = fields.String(required=True)
    dtCreated = fields.String(required=True)
    dtUpdated = fields.String(required=True)


class CommentPathSchema(SessionPathSchema):
    """`{ts}/comments/{comment_id}`."""

    comment_id = fields.String(required=True)
