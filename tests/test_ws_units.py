"""Small pieces of the WebSocket layer: token bucket, Origin rule, error mapping, envelopes, registration."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from schemas.ws import EnvelopeSchema
from server.domain import errors as room_errors
from server.ws import const, messages
from server.ws.decorators import spec_of, ws_handler
from server.ws.dispatcher import Dispatcher, is_plain_envelope
from server.ws.error_codes import error_code
from server.ws.handlers import DEFAULT_HANDLERS
from server.ws.limits import WsLimits
from server.ws.liveness import Beat, Liveness
from server.ws.ratelimit import TokenBucket

from .support.fuzzing import json_leaves, json_values, message_types, payloads


def test_token_bucket_bursts_then_refills() -> None:
    now = [0.0]
    bucket = TokenBucket(30.0, 60, lambda: now[0])
    assert sum(bucket.take() for _ in range(100)) == 60
    now[0] += 0.1
    assert sum(bucket.take() for _ in range(100)) == 3
    now[0] += 1000
    assert sum(bucket.take() for _ in range(100)) == 60  # never more than the burst


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (room_errors.NotInControl, const.NOT_IN_CONTROL),
        (room_errors.NotYourself, const.FORBIDDEN),
        (room_errors.NotTeamMember, const.FORBIDDEN),
        (room_errors.UnknownProblem, const.INVALID_MESSAGE),
        (room_errors.UnknownCompiler, const.INVALID_MESSAGE),
        (room_errors.UnknownContest, const.INVALID_MESSAGE),
        (room_errors.CodeTooLarge, const.INVALID_MESSAGE),
    ],
)
def test_room_errors_map_to_wire_codes(exc: type[room_errors.RoomError], code: str) -> None:
    assert error_code(exc("m")) == code


def test_error_envelope_shape() -> None:
    assert orjson.loads(messages.error("FORBIDDEN", "no", {"a": 1}, "USER").payload) == {
        "type": "ERROR",
        "payload": {"code": "FORBIDDEN", "message": "no", "details": {"a": 1}, "requestType": "USER"},
    }
    assert orjson.loads(messages.user_join(17).payload) == {"type": "USER_JOIN", "payload": {"userId": "17"}}


def test_every_client_type_has_one_handler_and_none_is_server_only() -> None:
    dispatcher = Dispatcher(DEFAULT_HANDLERS, WsLimits())
    assert dispatcher.types == {
        "USER",
        "CONTEST_SELECTED",
        "CODE_EDITOR_UPDATE",
        "CONTROL_TAKEN",
        "PROBLEM_ASSIGNED",
        "COMPILER_SELECTED",
    }
    assert not dispatcher.types & const.SERVER_ONLY
    with pytest.raises(ValueError):
        Dispatcher([*DEFAULT_HANDLERS, DEFAULT_HANDLERS[0]], WsLimits())


def test_undecorated_handlers_are_refused() -> None:
    async def plain(ctx: object, payload: object) -> None: ...

    with pytest.raises(TypeError):
        spec_of(plain)  # type: ignore[arg-type]
    decorated = ws_handler("X", type(spec_of(DEFAULT_HANDLERS[0]).schema), rooms=("lobby",))(plain)  # type: ignore[arg-type]
    assert spec_of(decorated).rooms == frozenset({"lobby"})


# The fuzz tests' value strategies (tests/fuzzing.py), plus envelopes with any type and any payload object.
_FRAMES = st.one_of(
    json_values,
    st.fixed_dictionaries({"type": message_types, "payload": payloads}, optional={"extra": json_leaves}),
    st.fixed_dictionaries({"type": st.text(max_size=20), "payload": st.dictionaries(st.text(max_size=8), json_values)}),
)


@given(_FRAMES)
def test_a_frame_skips_the_envelope_load_only_when_the_schema_would_pass_it_unchanged(data: Any) -> None:
    try:
        loaded = EnvelopeSchema().load(data)
    except ValidationError:
        loaded = None
    if is_plain_envelope(data):
        assert loaded == {"type": data["type"], "payload": data["payload"]}
    else:
        # every frame the schema accepts is a plain envelope, so the fast path loses none of them
        assert loaded is None


def test_liveness_pings_after_a_silent_period_and_drops_after_an_unanswered_ping() -> None:
    live = Liveness()
    assert live.sweep() is Beat.ALIVE  # a new socket was just heard (its handshake)
    assert live.sweep() is Beat.PING
    live.heard = True  # the pong, or any frame
    assert live.sweep() is Beat.ALIVE
    assert [live.sweep() for _ in range(2)] == [Beat.PING, Beat.DROP]
    live.heard = True
    assert [live.sweep() for _ in range(3)] == [Beat.ALIVE, Beat.PING, Beat.DROP]


def test_coalesced_editor_updates_wait_one_token_of_the_rate_within_a_bound() -> None:
    """A looser rate shortens the flush delay; a tighter one never makes the last text wait long."""
    assert WsLimits().editor_flush_delay == 1 / 30
    assert WsLimits(rate_per_second=100.0).editor_flush_delay == 0.01
    assert WsLimits(rate_per_second=0.001).editor_flush_delay == 1 / 30
