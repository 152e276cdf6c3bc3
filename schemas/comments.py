"""Schemas of comments."""

from marshmallow import Schema, fields, validate

from .common import IsoDateTime, RequestSchema
from .contests import SessionPathSchema

CONTENT = validate.Length(min=1, max=10_000)


class CommentBodySchema(RequestSchema):
    """`{content}`."""

    content = fields.String(required=True, validate=CONTENT)


class CommentSchema(Schema):
    """A comment, dumped from its record (the author's fields flattened, as the client reads them)."""

    id = fields.String(required=True, metadata={"description": "UUID"})
    userId = fields.String(required=True, attribute="author.id")
    userFirstName = fields.String(required=True, attribute="author.first_name")
    userLastName = fields.String(required=True, attribute="author.last_name")
    userLogin = fields.String(required=True, attribute="author.login")
    problemAlias = fields.String(required=True, attribute="problem_alias")
    content = fields.String(required=True)
    dtCreated = IsoDateTime(required=True, attribute="dt_created")
    dtUpdated = IsoDateTime(required=True, attribute="dt_updated")


class CommentPathSchema(SessionPathSchema):
    """`{ts}/comments/{comment_id}`."""

    comment_id = fields.String(required=True)
