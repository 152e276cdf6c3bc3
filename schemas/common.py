"""Schemas shared by many endpoints: errors, users, request base classes, id fields."""

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

# SQLite integers are signed 64-bit: larger ids can name nothing and must not reach the database
ID_MAX = 2**63 - 1
ID_RANGE = validate.Range(min=1, max=ID_MAX)


class IdField(fields.Field):
    """An id sent by a client: a JSON integer or a string of ASCII digits; loads as int, dumps as str.

    The web client takes ids from route parameters, so `{"team_id": "1"}` and `{"team_id": 1}` mean
    the same (docs/protocol.md). Anything else (`1.9`, `true`, `"1e3"`, `" 1"`, `"-1"`) is refused,
    never truncated, and so is an id outside [minimum, maximum]. Digit strings are length-checked
    before int() so a 5,000-digit string costs nothing.
    """

    default_error_messages = {  # noqa: RUF012 - marshmallow's documented way to declare messages
        "invalid": "Not a valid id (an integer or a string of digits).",
        "range": "Id out of range.",
    }

    def __init__(self, *, minimum: int = 1, maximum: int = ID_MAX, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum
        self.maximum = maximum
        self._max_digits = len(str(maximum))
        self.metadata.setdefault("description", "an integer, or a string of digits")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, str):
            if not (value.isascii() and value.isdigit()):
                raise self.make_error("invalid")
            if len(value.lstrip("0")) > self._max_digits:
                raise self.make_error("range")
            value = int(value)
        elif not isinstance(value, int):
            raise self.make_error("invalid")
        if not self.minimum <= value <= self.maximum:
            raise self.make_error("range")
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


def id_field(**kwargs: object) -> fields.Integer:
    """A required integer id from a path or query string (text to parse); out-of-range ids are 422."""
    return fields.Integer(required=True, strict=False, validate=ID_RANGE, **kwargs)  # type: ignore[arg-type]


def body_id_field(**kwargs: Any) -> IdField:
    """A required id in a JSON body: a JSON integer or a string of digits, within SQLite's range."""
    return IdField(required=True, **kwargs)


class RequestSchema(Schema):
    """Base of request bodies: unknown fields are ignored so newer clients keep working."""

    class Meta:
        unknown = EXCLUDE


class ErrorBodySchema(Schema):
    """The inner error object of SPEC §4."""

    code = fields.String(required=True, metadata={"example": "NOT_FOUND"})
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(Schema):
    """`{"error": {...}}`, the body of every failed request."""

    error = fields.Nested(ErrorBodySchema, required=True)


class DetailSchema(Schema):
    """The original backend's `{"message"}` that the web client reads."""

    message = fields.String(required=True, metadata={"example": "Duplicate submission: ..."})


class DuplicateErrorSchema(ErrorSchema):
    """A 409 for a repeated submission: the error plus `detail.message` matching /Duplicate submission/."""

    detail = fields.Nested(DetailSchema, required=True)


class UserSchema(Schema):
    """The user object the web client reads (SPEC §4)."""

    id = fields.String(required=True, metadata={"example": "17", "description": "digits"})
    login = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    display_name = fields.String(required=True)
    real_name = fields.String(required=True)
    default_avatar_id = fields.String(required=True, allow_none=True)
    is_avatar_empty = fields.Boolean(required=True)


class UsersOnlineSchema(Schema):
    """`{"users": [user]}`."""

    users = fields.List(fields.Nested(UserSchema), required=True)


class StatusSchema(Schema):
    """A health answer."""

    status = fields.String(required=True, metadata={"example": "ok"})
