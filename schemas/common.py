"""Schemas shared by many endpoints: errors, users, request base classes, id fields.

Every schema here and in the other modules of this package is the one definition of a wire
shape: requests are loaded through them and answers (REST bodies and WebSocket payloads alike)
are dumped through them from the domain's records (docs/architecture.md, "the wire layer").
"""

import unicodedata
from collections.abc import Mapping
from typing import Any, ClassVar, NoReturn

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_dump, validate

# SQLite integers are signed 64-bit: larger ids can name nothing and must not reach the database
ID_MAX = 2**63 - 1
ID_RANGE = validate.Range(min=1, max=ID_MAX)
# Ids in WebSocket query strings and client messages: at most 18 digits, so always inside ID_MAX
WS_ID_DIGITS = 18
WS_ID_MAX = 10**WS_ID_DIGITS - 1


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


class IsoDateTime(fields.String):
    """A time as ISO 8601 text with its offset (`2023-08-17T17:50:09.378486+00:00`), from an aware datetime."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()


UNSTORABLE = "must not contain NUL characters or unpaired surrogates"


def storable(text: str) -> bool:
    """True when text can be stored and sent back: no NUL and no lone surrogate (it encodes to UTF-8).

    A lone surrogate (JSON `"\\udfff"`) cannot be written to SQLite or encoded by orjson: it was a 500
    on REST, and editor text holding one would have failed every snapshot of its room. NUL ends C
    strings in tools that read the database and has no place in any text of this API.
    """
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _all_storable(value: Any) -> bool:
    """True when every string in value (nested lists and dicts, keys included) is storable."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not storable(item):
                return False
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return True


class StorableStrings(Schema):
    """Base of every schema that loads client input: each declared field's strings must be storable (422).

    One check for every string that enters (REST bodies and queries, form fields, WebSocket payloads),
    before any field or view sees it, so no view needs its own; undeclared fields are not looked at
    (they are dropped). A string is refused under its field's name with UNSTORABLE. It runs in load()
    rather than as a @pre_load hook: marshmallow's hook machinery cost 3 µs per load, and a
    CODE_EDITOR_UPDATE is loaded on the WebSocket hot path; this check costs 0.3 µs of its 5.5 µs load
    (2 KB of code: one memchr for NUL, one isascii; non-ASCII text is also encoded once).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._input_keys = tuple(f.data_key or name for name, f in self.load_fields.items())

    def load(self, data: Any, *, many: bool | None = None, partial: Any = None, unknown: str | None = None) -> Any:
        """Refuse unstorable strings in the declared fields, then load as marshmallow does."""
        if type(data) is dict or isinstance(data, Mapping):
            for key in self._input_keys:
                value = data.get(key)
                if type(value) is str:
                    if "\x00" in value or not (value.isascii() or storable(value)):
                        self._refuse(data)
                elif value is not None and not _all_storable(value):
                    self._refuse(data)
        return Schema.load(self, data, many=many, partial=partial, unknown=unknown)

    def _refuse(self, data: Mapping[str, Any]) -> NoReturn:
        bad = {k: [UNSTORABLE] for k in self._input_keys if k in data and not _all_storable(data[k])}
        raise ValidationError(bad)


# Characters a name must not hold: controls (NUL, newlines, escapes), invisible format characters
# (U+202E RIGHT-TO-LEFT OVERRIDE reverses the text after it, U+200B/U+200D zero-width ones make two
# names look alike), surrogates, private-use code points and line/paragraph separators: they draw
# nothing or rearrange what follows, so a name holding them can pass for another in standings.
_NAME_REFUSED = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "a surrogate",
    "Co": "a private-use character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def name_text(value: str) -> None:
    """Validator of names people read (team names, first and last names): no control or format characters.

    Raises ValidationError naming the first refused character, e.g. "U+202E, RIGHT-TO-LEFT OVERRIDE".
    """
    if value.isascii() and value.isprintable():
        return
    for char in value:
        kind = _NAME_REFUSED.get(unicodedata.category(char))
        if kind is not None:
            name = unicodedata.name(char, kind)
            raise ValidationError(f"must not contain control or invisible characters (U+{ord(char):04X}, {name})")


class RequestSchema(StorableStrings):
    """Base of request bodies: unknown fields are ignored so newer clients keep working."""

    class Meta:
        unknown = EXCLUDE


class ValueSchema(Schema):
    """A body with one field, dumped from the bare value: `CodeSchema().dump("x") == {"code": "x"}`."""

    key: ClassVar[str]

    @pre_dump
    def _wrap(self, value: Any, **kwargs: Any) -> dict[str, Any]:
        return {self.key: value}


class ErrorBodySchema(Schema):
    """The inner error object: `{code, message, details}` (docs/protocol.md, errors)."""

    code = fields.String(required=True, metadata={"example": "NOT_FOUND"})
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(ValueSchema):
    """`{"error": {...}}`, the body of every failed request; dumped from the error."""

    key = "error"
    error = fields.Nested(ErrorBodySchema, required=True)


class DetailSchema(Schema):
    """The original backend's `{"message"}` that the web client reads."""

    message = fields.String(required=True, metadata={"example": "Duplicate submission: ..."})


class DuplicateErrorSchema(Schema):
    """A 409 for a repeated submission: the error plus `detail.message` matching /Duplicate submission/."""

    error = fields.Nested(ErrorBodySchema, required=True)
    detail = fields.Nested(DetailSchema, required=True)

    @pre_dump
    def _wrap(self, error: Any, **kwargs: Any) -> dict[str, Any]:
        return {"error": error, "detail": {"message": f"Duplicate submission: {error.message}"}}


class UserSchema(Schema):
    """The user object the web client reads; dumped from a User record (its int id as digits)."""

    id = fields.String(required=True, metadata={"example": "17", "description": "digits"})
    login = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    display_name = fields.Function(lambda u: u.login, required=True, metadata={"type": "string"})
    real_name = fields.Function(lambda u: f"{u.first_name} {u.last_name}", required=True, metadata={"type": "string"})
    default_avatar_id = fields.Constant(None, required=True, allow_none=True, metadata={"type": "string"})
    is_avatar_empty = fields.Constant(True, required=True, metadata={"type": "boolean"})


class UsersOnlineSchema(ValueSchema):
    """`{"users": [user]}`, dumped from the list of users."""

    key = "users"
    users = fields.List(fields.Nested(UserSchema), required=True)


class StatusSchema(ValueSchema):
    """A health answer, dumped from its status text."""

    key = "status"
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


class ApplicationHealthSchema(Schema):
    """The application's health, with its judge's: dumped from `{"status", "judge"}`."""

    status = fields.String(required=True, metadata={"example": "ok"})
    judge = fields.Nested(JudgeHealthSchema, required=True)
