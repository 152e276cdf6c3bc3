"""Schemas of teams and memberships."""

from marshmallow import Schema, fields, validate

from .common import IsoDateTime, RequestSchema, UserSchema, id_field, name_text
from .users import LOGIN


class TeamCreateSchema(RequestSchema):
    """`POST /teams` body."""

    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=100), validate.Regexp(r"\S", error="must not be blank"), name_text],
    )
    member_logins = fields.List(
        fields.String(validate=LOGIN),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "users to invite: each joins on accepting (GET /user/me/invitations)"},
    )


class MemberAddSchema(RequestSchema):
    """`POST /teams/{team_id}/members` body."""

    login = fields.String(required=True, validate=LOGIN)


class TeamShortSchema(Schema):
    """`{id, name}` (a TeamSummary)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class TeamSchema(TeamShortSchema):
    """A team with its members, owner and pending invitations (a Team)."""

    members = fields.List(fields.Nested(UserSchema), required=True)
    owner_id = fields.String(
        required=True, metadata={"description": "digits: the member who may remove others (the creator at first)"}
    )
    invited = fields.List(
        fields.Nested(UserSchema), required=True, metadata={"description": "invited, not answered yet"}
    )


class InvitationSchema(Schema):
    """An invitation to a team waiting for the user's answer (an Invitation)."""

    team = fields.Nested(TeamShortSchema, required=True)
    inviter = fields.Nested(UserSchema, required=True)
    dt_created = IsoDateTime(required=True)


class TeamPathSchema(Schema):
    """`{team_id}` in the path."""

    team_id = id_field()


class MemberPathSchema(TeamPathSchema):
    """`{team_id}/members/{user_id}` in the path."""

    user_id = id_field()
