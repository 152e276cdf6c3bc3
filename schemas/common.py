"""Schemas shared by many endpoints: errors, users, request base classes."""

from marshmallow import EXCLUDE, Schema, fields, validate

# SQLite integers are signed 64-bit: larger ids can name nothing and must not reach the database
ID_RANGE = validate.Range(min=1, max=2**63 - 1)


def id_field(**kwargs: object) -> fields.Integer:
    """A required integer id from a path or query string (text to parse); out-of-range ids are 422."""
    return fields.Integer(required=True, strict=False, validate=ID_RANGE, **kwargs)  # type: ignore[arg-type]


def body_id_field(**kwargs: object) -> fields.Integer:
    """A required integer id in a JSON body: a JSON integer only (1.9 or "1" is 422, never truncated)."""
    return fields.Integer(required=True, strict=True, validate=ID_RANGE, **kwargs)  # type: ignore[arg-type]


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


class JudgeHealthSchema(Schema):
    """Whether the embedded judge judges, and with which isolation (JUDGE_ISOLATION)."""

    isolation = fields.String(
        required=True,
        metadata={"enum": ["full", "weak", "unavailable"], "description": "weak: judging without some sandbox layers"},
    )
    ready = fields.Boolean(required=True, metadata={"description": "false: submissions are refused with 503"})
    mode = fields.String(required=True, metadata={"enum": ["strict", "auto", "weak"]})
    missing = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "sandbox layers not active: cgroups, namespaces, allow-list root, uid switch, seccomp"
        },
    )


class ApplicationHealthSchema(StatusSchema):
    """The application's health, with its judge's."""

    judge = fields.Nested(JudgeHealthSchema, required=True)
