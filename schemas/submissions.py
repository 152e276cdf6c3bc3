"""Schemas of submissions and standings."""

from marshmallow import Schema, fields

from .common import id_field
from .contests import SessionPathSchema


class RunIdSchema(Schema):
    """`{"runId": int}`."""

    runId = fields.Integer(required=True)


class SubmissionSchema(Schema):
    """The short submission."""

    id = fields.Integer(required=True)
    problemAlias = fields.String(required=True)
    compiler = fields.String(required=True)
    verdict = fields.String(required=True, metadata={"example": "No report"})
    score = fields.Integer(required=True)
    time = fields.Integer(required=True, metadata={"description": "ms"})
    memory = fields.Integer(required=True, metadata={"description": "bytes"})
    test = fields.Integer(required=True, metadata={"description": "first failed test, 0 if none"})
    timeFromStart = fields.Integer(required=True, metadata={"description": "ms"})
    submissionTime = fields.String(required=True)
    authorId = fields.String(required=True)
    upsolving = fields.Boolean(required=True)


class CheckerLogSchema(Schema):
    """One test's result."""

    sequenceNumber = fields.Integer(required=True)
    testName = fields.String(required=True)
    verdict = fields.String(required=True)
    runningTime = fields.Integer(required=True, metadata={"description": "ms"})
    memoryUsed = fields.Integer(required=True, metadata={"description": "bytes"})
    checkerMessage = fields.String(
        metadata={"description": "the problem's own validator's feedback (judgemessage.txt, a testlib comment)"}
    )


class FullSubmissionSchema(SubmissionSchema):
    """A submission with its source and logs."""

    source = fields.String(required=True)
    compileLog = fields.String(required=True)
    checkerLog = fields.List(fields.Nested(CheckerLogSchema), required=True)


class SubmissionListSchema(Schema):
    """`{count, submissions}` newest first."""

    count = fields.Integer(required=True)
    submissions = fields.List(fields.Nested(SubmissionSchema), required=True)


class SubmissionPathSchema(SessionPathSchema):
    """`{ts}/submissions/{id}`."""

    id = id_field()


class SubmissionFormSchema(Schema):
    """The multipart form of a submission (documented; parsed by the view)."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
    compiler = fields.String(required=True, metadata={"description": "compiler id, e.g. gcc_cpp20"})
    problem = fields.String(required=True, metadata={"description": "problem alias, e.g. A"})


class TitleSchema(Schema):
    """A standings column."""

    name = fields.String(required=True, metadata={"description": "alias"})
    title = fields.String(required=True)


class ParticipantSchema(Schema):
    """Who a row is."""

    id = fields.String(required=True, metadata={"description": "training session id"})
    name = fields.String(required=True, metadata={"description": "team name"})


class ProblemResultSchema(Schema):
    """One cell."""

    status = fields.String(required=True, metadata={"example": "ACCEPTED"})
    submissionCount = fields.String(required=True)
    submitDelay = fields.Integer(required=True, metadata={"description": "seconds"})


class StandingsRowSchema(Schema):
    """One participant's row."""

    participantInfo = fields.Nested(ParticipantSchema, required=True)
    placeFrom = fields.List(fields.Integer(), required=True)
    placeTo = fields.List(fields.Integer(), required=True)
    score = fields.String(required=True, metadata={"description": "solved count"})
    penalty = fields.Integer(required=True, metadata={"description": "minutes"})
    problemResults = fields.List(fields.Nested(ProblemResultSchema), required=True)


class StandingsSchema(Schema):
    """ICPC standings of every session of the contest."""

    titles = fields.List(fields.Nested(TitleSchema), required=True)
    rows = fields.List(fields.Nested(StandingsRowSchema), required=True)
