"""Schemas of contests, problems and compilers."""

from marshmallow import Schema, fields


class ContestShortSchema(Schema):
    """`{id, name, duration}`."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    duration = fields.Integer(required=True, metadata={"description": "seconds"})


class CompilerSchema(Schema):
    """One compiler the client can pick."""

    id = fields.String(required=True, metadata={"example": "gcc_cpp20"})
    name = fields.String(required=True)
    style = fields.String(required=True, metadata={"example": "cpp"})


class CompilersSchema(Schema):
    """`{"compilers": [...]}`."""

    compilers = fields.List(fields.Nested(CompilerSchema), required=True)


class LimitSchema(Schema):
    """A problem's limits for one compiler."""

    compilerName = fields.String(required=True)
    timeLimit = fields.Integer(required=True, metadata={"description": "milliseconds"})
    memoryLimit = fields.Integer(required=True, metadata={"description": "bytes"})


class ProblemSchema(Schema):
    """A problem with the session's state of it."""

    id = fields.String(required=True)
    alias = fields.String(required=True)
    name = fields.String(required=True)
    compilers = fields.List(fields.String(), required=True)
    limits = fields.List(fields.Nested(LimitSchema), required=True)
    testCount = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"example": "NOT_SUBMITTED"})
    attempts = fields.Integer(required=True)
    assignedUser = fields.Raw(required=True, allow_none=True, metadata={"description": "user object or null"})


class ProblemsSchema(Schema):
    """`{"problems": [...]}` sorted by alias."""

    problems = fields.List(fields.Nested(ProblemSchema), required=True)


class SessionContestSchema(ContestShortSchema):
    """The contest a session plays."""

    startTime = fields.String(required=True, metadata={"description": "ISO 8601"})
    problems = fields.List(fields.Nested(ProblemSchema), required=True)


class ProblemStateSchema(Schema):
    """`{problemAlias, status, attempts}`."""

    problemAlias = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)


class SessionPathSchema(Schema):
    """`{ts}` in the path: a training-session id."""

    ts = fields.String(required=True)


class ProblemPathSchema(SessionPathSchema):
    """`{ts}/.../{alias}` in the path."""

    alias = fields.String(required=True)


class StatementAssetPathSchema(ProblemPathSchema):
    """`{ts}/.../{alias}/statement/{file}`: a file the statement shows (an image, its PDF)."""

    file = fields.String(required=True)
