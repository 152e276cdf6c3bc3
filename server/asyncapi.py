"""The AsyncAPI 3 document of the WebSocket protocol, from the same marshmallow schemas the server loads and dumps.

`python -m server.asyncapi [--check] [PATH]` writes asyncapi.json (or checks it is current); the app
serves the same document at `/asyncapi.json`. Client messages come from the registered handlers
(type, schema, rooms); server messages from the table below, which tests/test_asyncapi.py checks
against the protocol's constants.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from schemas import broadcasts as out
from schemas.comments import CommentSchema
from schemas.submissions import SubmissionSchema

from . import docgen
from .docgen import render
from .ws import const
from .ws.decorators import spec_of
from .ws.handlers import DEFAULT_HANDLERS

DEFAULT_PATH = Path(__file__).parent.parent / "asyncapi.json"
__all__ = ["DEFAULT_PATH", "build_document", "main", "render"]
VERSION = "1.0.0"
ROOMS = {"lobby": "/ws/lobby", "training": "/ws/training"}
_BOTH = ("lobby", "training")

# (message name, wire type, payload schema, rooms, summary): every message the server sends.
SERVER_MESSAGES: tuple[tuple[str, str, type[Schema], tuple[str, ...], str], ...] = (
    ("UserJoin", const.USER_JOIN, out.UserIdSchema, _BOTH, "A user's first socket joined (the newcomer's first frame)"),
    ("UserLeave", const.USER_LEAVE, out.UserIdSchema, _BOTH, "A user's last socket left"),
    ("LobbyState", const.ROOM_STATE, out.LobbyStateSchema, ("lobby",), "Everything to draw the lobby, to the newcomer"),
    ("TrainingState", const.ROOM_STATE, out.TrainingStateSchema, ("training",), "Everything to draw the room"),
    ("UserEcho", const.USER, out.UserMessageSchema, _BOTH, "USER as applied: the sender's stored user object"),
    ("ContestSelectedEcho", const.CONTEST_SELECTED, out.ContestSelectedOutSchema, ("lobby",), "As applied"),
    ("CodeEditorUpdateEcho", const.CODE_EDITOR_UPDATE, out.CodeEditorUpdateOutSchema, ("training",), "As applied"),
    ("ControlTakenEcho", const.CONTROL_TAKEN, out.UserIdSchema, ("training",), "As applied"),
    ("ProblemAssignedEcho", const.PROBLEM_ASSIGNED, out.ProblemAssignedOutSchema, ("training",), "As applied"),
    ("CompilerSelectedEcho", const.COMPILER_SELECTED, out.CompilerSelectedOutSchema, ("training",), "As applied"),
    ("TrainingStarted", const.TRAINING_STARTED, out.TrainingStartedSchema, ("lobby",), "A session started"),
    ("TrainingFinished", const.TRAINING_FINISHED, out.TrainingFinishedSchema, _BOTH, "A member finished it"),
    ("ContestFinished", const.CONTEST_FINISHED, out.TrainingFinishedSchema, _BOTH, "Its contest's time ran out"),
    ("VerdictPending", const.SUBMISSION_VERDICT_PENDING, SubmissionSchema, ("training",), "A submission stored"),
    ("VerdictRetrieved", const.SUBMISSION_VERDICT_RETRIEVED, SubmissionSchema, ("training",), "Testing, then judged"),
    ("ProblemStatus", const.PROBLEM_STATUS_UPDATED, out.ProblemStatusUpdatedSchema, ("training",), "Status moved"),
    ("ProblemAttempts", const.PROBLEM_ATTEMPTS_UPDATED, out.ProblemAttemptsUpdatedSchema, ("training",), "Attempts"),
    ("CommentReceived", const.PROBLEM_COMMENT_RECEIVED, CommentSchema, ("training",), "A new comment"),
    ("CommentUpdated", const.PROBLEM_COMMENT_UPDATED, CommentSchema, ("training",), "A comment edited"),
    ("CommentDeleted", const.PROBLEM_COMMENT_DELETED, out.CommentDeletedSchema, ("training",), "A comment deleted"),
    ("Error", const.ERROR, out.ErrorPayloadSchema, _BOTH, "To the sender alone: a message was not applied"),
)

_QUERY = {
    "lobby": {"team_id": "integer (digits)", "user_id": "digits", "token": "optional: else header or cookie"},
    "training": {"training_session_id": "UUID", "user_id": "digits", "token": "optional: else header or cookie"},
}


def _json_schema(node: Any) -> Any:
    """apispec's OpenAPI 3.0 schema as JSON Schema (AsyncAPI's default format): `nullable` becomes a null type."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    converted = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
        elif "anyOf" in converted:
            converted["anyOf"] = [*converted["anyOf"], {"type": "null"}]
    return converted


def _schemas(classes: list[type[Schema]]) -> dict[str, Any]:
    """Every payload schema (and the ones they nest) as named JSON Schemas."""
    spec = APISpec("ws", VERSION, "3.0.3", plugins=[MarshmallowPlugin()])
    for cls in classes:
        name = cls.__name__.removesuffix("Schema")
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=cls)
    found = spec.to_dict()["components"]["schemas"]
    return {name: _json_schema(schema) for name, schema in sorted(found.items())}


def _message(name: str, type_: str, schema: type[Schema], summary: str) -> dict[str, Any]:
    payload_ref = {"$ref": f"#/components/schemas/{schema.__name__.removesuffix('Schema')}"}
    return {
        "name": type_,
        "title": name,
        "summary": summary,
        "contentType": "application/json",
        "payload": {
            "type": "object",
            "required": ["type", "payload"],
            "properties": {"type": {"const": type_}, "payload": payload_ref},
        },
    }


def build_document() -> dict[str, Any]:
    """The AsyncAPI 3 document: two channels, what the server receives and sends on each."""
    messages: dict[str, Any] = {}
    receives: dict[str, list[str]] = {room: [] for room in ROOMS}
    sends: dict[str, list[str]] = {room: [] for room in ROOMS}
    classes: list[type[Schema]] = []
    for handler in DEFAULT_HANDLERS:
        spec = spec_of(handler)
        name = "".join(word.title() for word in spec.type.split("_"))
        messages[name] = _message(name, spec.type, type(spec.schema), (handler.__doc__ or "").strip())
        classes.append(type(spec.schema))
        for room in sorted(spec.rooms):
            receives[room].append(name)
    for name, type_, schema, rooms, summary in SERVER_MESSAGES:
        messages[name] = _message(name, type_, schema, summary)
        classes.append(schema)
        for room in rooms:
            sends[room].append(name)
    channels = {
        room: {
            "address": address,
            "title": f"the {room} room",
            "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in sorted({*receives[room], *sends[room]})},
            "bindings": {
                "ws": {
                    "query": {
                        "type": "object",
                        "properties": {k: {"type": "string", "description": d} for k, d in _QUERY[room].items()},
                        "required": [k for k in _QUERY[room] if k != "token"],
                    }
                }
            },
        }
        for room, address in ROOMS.items()
    }
    operations = {}
    for room in ROOMS:
        for action, names in (("receive", receives[room]), ("send", sends[room])):
            operations[f"{room}{action.title()}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{room}"},
                "messages": [{"$ref": f"#/channels/{room}/messages/{m}"} for m in names],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Team Trainer rooms",
            "version": VERSION,
            "description": "The lobby and training-room WebSocket protocol; rules in docs/protocol.md. "
            "`receive` operations are the client's messages, `send` operations the server's.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _schemas(classes)},
    }


def main(argv: list[str] | None = None) -> int:
    """Write the document, or with --check exit 1 when the committed file differs."""
    return docgen.main(__doc__ or "", build_document, DEFAULT_PATH, argv)


if __name__ == "__main__":
    sys.exit(main())
