"""Message types, error codes, close codes and limits of the WebSocket protocol (docs/protocol.md)."""

from typing import Final

# Messages a client may send.
USER: Final = "USER"
CONTEST_SELECTED: Final = "CONTEST_SELECTED"
CODE_EDITOR_UPDATE: Final = "CODE_EDITOR_UPDATE"
CONTROL_TAKEN: Final = "CONTROL_TAKEN"
PROBLEM_ASSIGNED: Final = "PROBLEM_ASSIGNED"
COMPILER_SELECTED: Final = "COMPILER_SELECTED"

# Messages only the server sends.
USER_JOIN: Final = "USER_JOIN"
USER_LEAVE: Final = "USER_LEAVE"
ROOM_STATE: Final = "ROOM_STATE"
ERROR: Final = "ERROR"
TRAINING_STARTED: Final = "TRAINING_STARTED"
TRAINING_FINISHED: Final = "TRAINING_FINISHED"
CONTEST_FINISHED: Final = "CONTEST_FINISHED"
SUBMISSION_VERDICT_PENDING: Final = "SUBMISSION_VERDICT_PENDING"
SUBMISSION_VERDICT_RETRIEVED: Final = "SUBMISSION_VERDICT_RETRIEVED"
PROBLEM_STATUS_UPDATED: Final = "PROBLEM_STATUS_UPDATED"
PROBLEM_ATTEMPTS_UPDATED: Final = "PROBLEM_ATTEMPTS_UPDATED"
PROBLEM_COMMENT_RECEIVED: Final = "PROBLEM_COMMENT_RECEIVED"
PROBLEM_COMMENT_UPDATED: Final = "PROBLEM_COMMENT_UPDATED"
PROBLEM_COMMENT_DELETED: Final = "PROBLEM_COMMENT_DELETED"

SERVER_ONLY: Final = frozenset(
    {
        USER_JOIN,
        USER_LEAVE,
        ROOM_STATE,
        ERROR,
        TRAINING_STARTED,
        TRAINING_FINISHED,
        CONTEST_FINISHED,
        SUBMISSION_VERDICT_PENDING,
        SUBMISSION_VERDICT_RETRIEVED,
        PROBLEM_STATUS_UPDATED,
        PROBLEM_ATTEMPTS_UPDATED,
        PROBLEM_COMMENT_RECEIVED,
        PROBLEM_COMMENT_UPDATED,
        PROBLEM_COMMENT_DELETED,
    }
)

# ERROR codes.
INVALID_JSON: Final = "INVALID_JSON"
INVALID_MESSAGE: Final = "INVALID_MESSAGE"
UNKNOWN_TYPE: Final = "UNKNOWN_TYPE"
FORBIDDEN: Final = "FORBIDDEN"
NOT_IN_CONTROL: Final = "NOT_IN_CONTROL"
RATE_LIMITED: Final = "RATE_LIMITED"
INTERNAL_ERROR: Final = "INTERNAL_ERROR"  # a server bug; nothing applied, the socket stays open

# Close codes.
CLOSE_NORMAL: Final = 1000
CLOSE_GOING_AWAY: Final = 1001  # server shutdown
CLOSE_UNSUPPORTED_DATA: Final = 1003  # binary frame
CLOSE_POLICY_VIOLATION: Final = 1008  # refused handshake, room full
CLOSE_MESSAGE_TOO_BIG: Final = 1009  # frame over MAX_MESSAGE_BYTES (sent by aiohttp's reader)
CLOSE_TRY_AGAIN_LATER: Final = 1013  # fell too far behind

REASON_ROOM_FULL: Final = "room is full"
# A user's oldest socket beyond MAX_SOCKETS_PER_USER: 1000, because the web client reconnects after any other code.
REASON_TOO_MANY_SOCKETS: Final = "too many connections of this user; closing the oldest"
REASON_REMOVED: Final = "removed from the team"
REASON_SIGNED_OUT: Final = "signed out: the token was revoked"
REASON_SHUTDOWN: Final = "server shutdown"
REASON_BINARY: Final = "binary frames are not supported"
REASON_TOO_SLOW: Final = "client too slow: outbound queue full"

# Limits that are not configuration.
RATE_PER_SECOND: Final = 30.0  # sustained client messages per second
RATE_BURST: Final = 60  # messages a quiet client may send at once
# CODE_EDITOR_UPDATE beyond the rate waits one token of the rate for its flush, but never longer than this.
EDITOR_FLUSH_MAX_DELAY: Final = 1.0 / RATE_PER_SECOND
OUTBOUND_MAX_MESSAGES: Final = 1024  # queued frames before a client counts as too slow
OUTBOUND_MAX_BYTES: Final = 16 * 1024 * 1024  # queued frame bytes before a client counts as too slow
CLOSE_TIMEOUT: Final = 5.0  # seconds to wait for the peer's close frame
FLUSH_TIMEOUT: Final = 2.0  # seconds a graceful close waits for queued frames to go out
