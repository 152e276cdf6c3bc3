"""Schemas of teams and memberships."""

from marshmallow import Schema, fields, validate

from .common import RequestSchema, UserSchema, id_field
from .users import LOGIN


class TeamCreateSchema(RequestSchema):
    """`POST /teams` body."""

    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=100), validate.Regexp(r"\S", error="must not be blank")],
    )
    member_logins = fields.List(fields.String(validate=LOGIN), load_default=list, validate=validate.Length(max=10))


class MemberAddSchema(RequestSchema):
    """`POST /teams/{team_id}/members` body."""

    login = fields.String(required=True, validate=LOGIN)


class TeamShortSchema(Schema):
    """`{id, name}` (a TeamSummary)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class TeamSchema(TeamShortSchema):
    """A team with its members (a Team)."""

    members = fields.List(fields.Nested(UserSchema), required=True)


class TeamPathSchema(Schema):
    """`{team_id}` in the path."""

    team_id = id_field()


class MemberPathSchema(TeamPathSchema):
    """`{team_id}/members/{user_id}` in the path."""

    user_id = id_field()
