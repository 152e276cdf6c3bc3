"""Schemas of registration and login."""

from marshmallow import Schema, fields, validate

from .common import RequestSchema, UserSchema

LOGIN = validate.Regexp(r"^[A-Za-z0-9_.\-]{1,64}$", error="login: 1-64 letters, digits, '_', '.' or '-'")


class RegisterSchema(RequestSchema):
    """`POST /users` body."""

    login = fields.String(required=True, validate=LOGIN)
    password = fields.String(required=True, validate=validate.Length(min=6, max=256))
    first_name = fields.String(load_default=None, validate=validate.Length(max=100))
    last_name = fields.String(load_default=None, validate=validate.Length(max=100))


class LoginSchema(RequestSchema):
    """`POST /auth/token` body."""

    login = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class UserWithTokenSchema(Schema):
    """A user and a token for them (an IssuedToken)."""

    user = fields.Nested(UserSchema, required=True)
    token = fields.String(required=True)
