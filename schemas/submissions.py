"""Schemas of submissions and standings, dumped from Submission records and scoring's Standings."""

from typing import Any

from marshmallow import Schema, fields, post_dump, pre_dump

from .common import IsoDateTime, StorableStrings, id_field
from .contests import SessionPathSchema


class RunIdSchema(Schema):
    """`{"runId": int}`, dumped from the stored submission."""

    runId = fields.Integer(required=True, attribute="id")


class SubmissionSchema(Schema):
    """The short submission."""

    id = fields.Integer(required=True)
    problemAlias = fields.String(required=True, attribute="problem_alias")
    compiler = fields.String(required=True)
    verdict = fields.String(required=True, metadata={"example": "No report"})
    score = fields.Integer(required=True)
    time = fields.Integer(required=True, attribute="time_ms", metadata={"description": "ms"})
    memory = fields.Integer(required=True, metadata={"description": "bytes"})
    test = fields.Integer(
        required=True, attribute="failed_test", metadata={"description": "first failed test, 0 if none"}
    )
    timeFromStart = fields.Integer(required=True, attribute="time_from_start", metadata={"description": "ms"})
    submissionTime = IsoDateTime(required=True, attribute="dt_submitted")
    authorId = fields.String(required=True, attribute="author_id")
    upsolving = fields.Boolean(required=True)


class CheckerLogSchema(Schema):
    """One test's result (a TestRecord)."""

    sequenceNumber = fields.Integer(required=True, attribute="sequence_number")
    testName = fields.String(required=True, attribute="test_name")
    verdict = fields.String(required=True)
    runningTime = fields.Integer(required=True, attribute="running_time", metadata={"description": "ms"})
    memoryUsed = fields.Integer(required=True, attribute="memory_used", metadata={"description": "bytes"})
    checkerMessage = fields.String(
        attribute="message",
        metadata={
            "description": "the problem's own validator's feedback on this test (judgemessage.txt, a testlib "
            "checker's comment); present only when it gave one"
        },
    )

    @post_dump
    def _drop_empty_message(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if not data.get("checkerMessage"):
            data.pop("checkerMessage", None)
        return data


def _source_text(submission: Any) -> str:
    return bytes(submission.source).decode("utf-8", errors="replace")


class FullSubmissionSchema(SubmissionSchema):
    """A submission with its source and logs."""

    source = fields.Function(_source_text, required=True, metadata={"type": "string"})
    compileLog = fields.String(required=True, attribute="compile_log")
    checkerLog = fields.List(fields.Nested(CheckerLogSchema), required=True, attribute="checker_log")


class SubmissionListSchema(Schema):
    """`{count, submissions}` newest first, dumped from the list."""

    count = fields.Integer(required=True)
    submissions = fields.List(fields.Nested(SubmissionSchema), required=True)

    @pre_dump
    def _wrap(self, submissions: Any, **kwargs: Any) -> dict[str, Any]:
        return {"count": len(submissions), "submissions": submissions}


class SubmissionPathSchema(SessionPathSchema):
    """`{ts}/submissions/{id}`."""

    id = id_field()


class SubmissionFormSchema(StorableStrings):
    """The multipart form of a submission: the view reads the parts with size caps, this schema checks them."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
    compiler = fields.String(required=True, metadata={"description": "compiler id, e.g. gcc_cpp20"})
    problem = fields.String(required=True, metadata={"description": "problem alias, e.g. A"})


class TitleSchema(Schema):
    """A standings column."""

    name = fields.String(required=True, attribute="alias", metadata={"description": "alias"})
    title = fields.String(required=True, attribute="name")


class ParticipantSchema(Schema):
    """Who a row is."""

    id = fields.String(required=True, metadata={"description": "training session id"})
    name = fields.String(required=True, metadata={"description": "team name"})


class ProblemResultSchema(Schema):
    """One cell."""

    status = fields.String(required=True, metadata={"example": "ACCEPTED"})
    submissionCount = fields.String(required=True, attribute="submission_count")
    submitDelay = fields.Integer(required=True, attribute="submit_delay", metadata={"description": "seconds"})


_PLACES = {"type": "array", "items": {"type": "integer"}}


class StandingsRowSchema(Schema):
    """One participant's row; places are one-element lists, as the client reads them."""

    participantInfo = fields.Nested(ParticipantSchema, required=True, attribute="participant")
    placeFrom = fields.Function(lambda row: [row.place_from], required=True, metadata=_PLACES)
    placeTo = fields.Function(lambda row: [row.place_to], required=True, metadata=_PLACES)
    score = fields.String(required=True, attribute="solved", metadata={"description": "solved count"})
    penalty = fields.Integer(required=True, metadata={"description": "minutes"})
    problemResults = fields.List(fields.Nested(ProblemResultSchema), required=True, attribute="cells")


class StandingsSchema(Schema):
    """ICPC standings of every session of the contest."""

    titles = fields.List(fields.Nested(TitleSchema), required=True)
    rows = fields.List(fields.Nested(StandingsRowSchema), required=True)
