"""The wire layer: each domain event mapped once, events as JSON across processes, hot paths as their schemas."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import orjson
import pytest

from schemas.broadcasts import CodeEditorUpdateOutSchema
from server.domain import events as ev
from server.domain.codec import decode_event, encode_event
from server.domain.records import Comment, Submission, TestRecord, TrainingSession, User
from server.ws import const, messages
from server.ws.outbound import frames_for, mapped_types

NOW = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)
ALICE = User(7, "alice", "Alice", "A")
SESSION = TrainingSession("5d0c2c64-0f3b-4c8e-9e36-7a4e5f7d9a10", 3, 1, "FINISHED", NOW, NOW, NOW)
SUBMISSION = Submission(
    12, SESSION.id, "A", 7, "gcc_cpp20", "No report", 0, 0, 0, 0, 61_000, NOW, False,
    b"int main() {}", "", (TestRecord(1, "sample/01", "OK", 3, 1 << 20),),
)  # fmt: skip
COMMENT = Comment("c-1", SESSION.id, "A", ALICE, "try DP", NOW, NOW)

EXAMPLES: list[ev.DomainEvent] = [
    ev.SessionStarted(SESSION),
    ev.SessionFinished(SESSION, expired=True),
    ev.SubmissionQueued(SUBMISSION),
    ev.SubmissionJudged(dataclasses.replace(SUBMISSION, verdict="OK", score=1)),
    ev.ProblemProgressed(SESSION.id, "A", "PASSED", 2),
    ev.CommentPosted(COMMENT),
    ev.CommentEdited(COMMENT),
    ev.CommentDeleted(SESSION.id, "c-1"),
    ev.MemberRemoved(3, 7),
    ev.TokensRevoked(7, ("ab12",)),
    ev.TokensRevoked(7, None, kept="cd34"),
]


def test_every_event_type_has_an_example_and_a_mapping() -> None:
    assert {type(e) for e in EXAMPLES} == set(ev.EVENT_TYPES) == mapped_types()


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_events_round_trip_through_json(event: ev.DomainEvent) -> None:
    """The seam a multi-process deployment publishes across: plain data, JSON and back, unchanged."""
    text = orjson.dumps(encode_event(event))
    assert decode_event(orjson.loads(text)) == event


def test_an_unknown_event_is_refused() -> None:
    with pytest.raises(KeyError):
        decode_event({"type": "Nope", "data": {}})


def test_events_become_the_documented_messages() -> None:
    def kinds(event: ev.DomainEvent) -> list[tuple[str, object, str]]:
        return [(room[0], room[1], orjson.loads(frame.payload)["type"]) for room, frame in frames_for(event)]

    assert kinds(EXAMPLES[0]) == [("lobby", 3, const.TRAINING_STARTED)]
    assert kinds(EXAMPLES[1]) == [
        ("training", SESSION.id, const.CONTEST_FINISHED),
        ("lobby", 3, const.CONTEST_FINISHED),
    ]
    finished = kinds(ev.SessionFinished(SESSION, expired=False))
    assert [k[2] for k in finished] == [const.TRAINING_FINISHED] * 2
    assert [k[2] for k in kinds(EXAMPLES[2])] == [const.SUBMISSION_VERDICT_PENDING, const.SUBMISSION_VERDICT_RETRIEVED]
    assert [k[2] for k in kinds(EXAMPLES[4])] == [const.PROBLEM_STATUS_UPDATED, const.PROBLEM_ATTEMPTS_UPDATED]
    assert kinds(EXAMPLES[8]) == [] and kinds(EXAMPLES[9]) == []


def test_which_sockets_a_revocation_covers() -> None:
    one, all_but = ev.TokensRevoked(7, ("ab12",)), ev.TokensRevoked(7, None, kept="cd34")
    assert one.covers("ab12") and not one.covers("cd34") and not one.covers(None)
    assert all_but.covers("ab12") and not all_but.covers("cd34") and all_but.covers(None)
    assert ev.TokensRevoked(7, None).covers("cd34")
    payload = orjson.loads(frames_for(EXAMPLES[3])[0][1].payload)["payload"]
    assert payload == {
        "id": 12,
        "problemAlias": "A",
        "compiler": "gcc_cpp20",
        "verdict": "OK",
        "score": 1,
        "time": 0,
        "memory": 0,
        "test": 0,
        "timeFromStart": 61_000,
        "submissionTime": "2026-11-30T12:00:00.123456+00:00",
        "authorId": "7",
        "upsolving": False,
    }


@pytest.mark.parametrize("code", ["", "print(1)\n", "é" * 3, '\u2028 and \\ and "'])
def test_the_hand_built_editor_echo_equals_its_schema(code: str) -> None:
    """CODE_EDITOR_UPDATE skips the schema dump on the hot path; its shape must still be the schema's."""
    frame = orjson.loads(messages.code_editor_update(code, "A", 17).payload)
    expected = CodeEditorUpdateOutSchema().dump({"code": code, "problemAlias": "A", "userId": 17})
    assert frame == {"type": const.CODE_EDITOR_UPDATE, "payload": expected}
