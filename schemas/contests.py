"""Schemas of contests, problems and compilers; dumped from the catalog's and the services' records."""

from marshmallow import Schema, fields

from .common import IsoDateTime, UserSchema, ValueSchema


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


class CompilersSchema(ValueSchema):
    """`{"compilers": [...]}`, dumped from the list."""

    key = "compilers"
    compilers = fields.List(fields.Nested(CompilerSchema), required=True)


class LimitSchema(Schema):
    """A problem's limits for one compiler."""

    compilerName = fields.String(required=True, attribute="compiler")
    timeLimit = fields.Integer(required=True, attribute="time_ms", metadata={"description": "milliseconds"})
    memoryLimit = fields.Integer(required=True, attribute="memory_bytes", metadata={"description": "bytes"})


class ProblemSchema(Schema):
    """A problem with the session's state of it (a SessionProblem)."""

    id = fields.String(required=True, attribute="problem.id")
    alias = fields.String(required=True, attribute="problem.alias")
    name = fields.String(required=True, attribute="problem.name")
    compilers = fields.List(fields.String(), required=True)
    limits = fields.List(fields.Nested(LimitSchema), required=True)
    testCount = fields.Integer(required=True, attribute="test_count")
    status = fields.String(required=True, attribute="state.status", metadata={"example": "NOT_SUBMITTED"})
    attempts = fields.Integer(required=True, attribute="state.attempts")
    assignedUser = fields.Nested(
        UserSchema,
        required=True,
        allow_none=True,
        attribute="assignee",
        metadata={"description": "user object or null"},
    )


class ProblemsSchema(ValueSchema):
    """`{"problems": [...]}` sorted by alias."""

    key = "problems"
    problems = fields.List(fields.Nested(ProblemSchema), required=True)


class SessionContestSchema(Schema):
    """The contest a session plays (a SessionContest)."""

    id = fields.Integer(required=True, attribute="contest.id")
    name = fields.String(required=True, attribute="contest.name")
    duration = fields.Integer(required=True, attribute="contest.duration", metadata={"description": "seconds"})
    startTime = IsoDateTime(required=True, attribute="session.dt_created", metadata={"description": "ISO 8601"})
    problems = fields.List(fields.Nested(ProblemSchema), required=True)


class ProblemStateSchema(Schema):
    """`{problemAlias, status, attempts}` (an AliasState)."""

    problemAlias = fields.String(required=True, attribute="alias")
    status = fields.String(required=True, attribute="state.status")
    attempts = fields.Integer(required=True, attribute="state.attempts")


class SessionPathSchema(Schema):
    """`{ts}` in the path: a training-session id."""

    ts = fields.String(required=True)


class ProblemPathSchema(SessionPathSchema):
    """`{ts}/.../{alias}` in the path."""

    alias = fields.String(required=True)


class StatementAssetPathSchema(ProblemPathSchema):
    """`{ts}/.../{alias}/statement/{file}`: a file the statement shows (an image, its PDF)."""

    file = fields.String(required=True)


class UploadFormSchema(Schema):
    """`POST /contests`: a zip of a contest folder, of one problem package, or a Polygon package."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class InstalledContestSchema(Schema):
    """An installed contest and what loaded but deserves a look (a statement that could not be rendered)."""

    contest = fields.Nested(ContestShortSchema, required=True)
    warnings = fields.List(fields.String(), required=True)


class ReloadReportSchema(Schema):
    """What a reload of the contests folder changed."""

    loaded = fields.List(fields.Integer(), required=True, metadata={"description": "contest ids (re)loaded"})
    removed = fields.List(fields.Integer(), required=True, metadata={"description": "contest ids gone from disk"})
    kept = fields.List(
        fields.Integer(), required=True, metadata={"description": "broken on disk: the loaded version is kept"}
    )
    failed = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "folder -> what is wrong"},
    )
