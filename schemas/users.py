"""Schemas of registration, login, passwords and registration invite codes."""

from marshmallow import Schema, fields, validate

from .common import IsoDateTime, RequestSchema, UserSchema, id_field, name_text

PASSWORD = validate.Length(min=6, max=256)
LOGIN = validate.Regexp(r"^[A-Za-z0-9_.\-]{1,64}$", error="login: 1-64 letters, digits, '_', '.' or '-'")


class RegisterSchema(RequestSchema):
    """`POST /users` body."""

    login = fields.String(required=True, validate=LOGIN)
    password = fields.String(required=True, validate=PASSWORD)
    first_name = fields.String(load_default=None, validate=[validate.Length(max=100), name_text])
    last_name = fields.String(load_default=None, validate=[validate.Length(max=100), name_text])
    invite_code = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "needed when the server runs with REGISTRATION=invite (from an admin)"},
    )


class LoginSchema(RequestSchema):
    """`POST /auth/token` body."""

    login = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class UserWithTokenSchema(Schema):
    """A user and a token for them (an IssuedToken)."""

    user = fields.Nested(UserSchema, required=True)
    token = fields.String(required=True)


class PasswordChangeSchema(RequestSchema):
    """`POST /user/me/password` body."""

    current_password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, validate=PASSWORD)


class InviteCreateSchema(RequestSchema):
    """`POST /invite-codes` body."""

    uses = fields.Integer(
        load_default=1, strict=True, validate=validate.Range(min=1, max=1000), metadata={"description": "registrations"}
    )
    days = fields.Integer(
        load_default=7, strict=True, validate=validate.Range(min=1, max=365), metadata={"description": "valid for"}
    )


class InviteCodeSchema(Schema):
    """A registration invite code as listed (an InviteCode): its text is shown only when it is made."""

    id = fields.Integer(required=True)
    uses_left = fields.Integer(required=True)
    dt_created = IsoDateTime(required=True)
    expires_at = IsoDateTime(required=True)


class IssuedInviteSchema(Schema):
    """A new invite code (an IssuedInvite): the code to hand out, shown this once."""

    code = fields.String(required=True)
    id = fields.Integer(required=True, attribute="invite.id")
    uses_left = fields.Integer(required=True, attribute="invite.uses_left")
    dt_created = IsoDateTime(required=True, attribute="invite.dt_created")
    expires_at = IsoDateTime(required=True, attribute="invite.expires_at")


class InvitePathSchema(Schema):
    """`{invite_id}` in the path."""

    invite_id = id_field()
