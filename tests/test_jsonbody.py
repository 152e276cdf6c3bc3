"""REST JSON bodies with their bounds (server.jsonbody): each unbounded input is a 400 INVALID_JSON, never a 500."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from server.http_errors import BadRequest
from server.jsonbody import MAX_DEPTH, depth, parse_json

from .support.api import error_of

UNBOUNDED = {
    "nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "nested past the limit": '{"login": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}",
    "integer of 5,000 digits": '{"login": ' + "7" * 5000 + ', "password": "secret-pw"}',
    "NaN": '{"login": NaN}',
    "Infinity": '{"login": -Infinity}',
    "a float beyond double": '{"login": 1e999}',
    "truncated": '{"login": "x"',
}


@pytest.mark.parametrize("body", UNBOUNDED.values(), ids=UNBOUNDED.keys())
async def test_unbounded_json_is_a_400(client: TestClient, body: str) -> None:
    resp = await client.post("/users", data=body, headers={"Content-Type": "application/json"})
    error = await error_of(resp, 400)
    assert error["code"] == "INVALID_JSON" and error["details"]["reason"]


def test_bounds_keep_what_requests_hold() -> None:
    assert parse_json('{"team_id": "12", "ids": [1, 2, {"a": [3]}], "x": -1.5}') == {
        "team_id": "12",
        "ids": [1, 2, {"a": [3]}],
        "x": -1.5,
    }
    assert parse_json(str(2**63 - 1)) == 2**63 - 1
    assert parse_json('"\\udfff"') == "\udfff"  # decoded: the field's schema refuses it with 422 (its name)
    assert depth(1) == 0 and depth([]) == 1 and depth({"a": [[]]}) == 3
    with pytest.raises(BadRequest):
        parse_json("1" * 41)
