"""Shared schema pieces (schemas.common): strings that can be stored, and the characters a name may hold.

Through the real app: a lone surrogate or NUL in a login, a team name, a comment or editor text is
refused (422 naming the field over REST, INVALID_MESSAGE over the socket) and nothing is stored.
"""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient
from marshmallow import ValidationError, fields

from schemas.common import UNSTORABLE, RequestSchema, name_text, storable

from .support.api import Api, error_of
from .support.ws import joined, next_json, training

LONE_SURROGATE = '"x\\udfffy"'  # JSON text: decodes to a str with an unpaired surrogate
NUL = '"x\\u0000y"'


@pytest.mark.parametrize(
    ("text", "ok"),
    [("plain", True), ("Команда №1 🦀", True), ("", True), ("a\x00b", False), ("a\udfffb", False), ("\ud83e", False)],
)
def test_storable(text: str, ok: bool) -> None:
    assert storable(text) is ok


@pytest.mark.parametrize("name", ["Team 1", "Команда №1", "Ünïcödé", "🦀 crabs", "O'Brien-Smith"])
def test_names_may_hold_letters_digits_spaces_and_symbols(name: str) -> None:
    name_text(name)


@pytest.mark.parametrize(
    ("name", "code_point"),
    [
        ("evil\u202egnp.exe", "U+202E"),  # right-to-left override
        ("ad\u200bmin", "U+200B"),  # zero-width space
        ("a\u200db", "U+200D"),  # zero-width joiner
        ("\ufeffBOM", "U+FEFF"),
        ("tab\there", "U+0009"),
        ("new\nline", "U+000A"),
        ("nul\x00", "U+0000"),
        ("line\u2028sep", "U+2028"),
        ("private\ue000", "U+E000"),
    ],
)
def test_control_and_format_characters_are_refused_in_names(name: str, code_point: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(code_point)):
        name_text(name)


class _Nested(RequestSchema):
    tags = fields.List(fields.String())
    extra = fields.Dict()
    alias = fields.String(data_key="problemAlias")


def test_every_declared_field_is_checked_nested_values_and_keys_too() -> None:
    schema = _Nested()
    assert schema.load({"tags": ["a"], "extra": {"k": "v"}, "problemAlias": "A", "ignored": "\x00"}) == {
        "tags": ["a"],
        "extra": {"k": "v"},
        "alias": "A",
    }
    for bad in ({"tags": ["ok", "\x00"]}, {"extra": {"\udfff": 1}}, {"problemAlias": "A\x00"}):
        with pytest.raises(ValidationError) as caught:
            schema.load(bad)
        assert caught.value.messages == {next(iter(bad)): [UNSTORABLE]}


@pytest.mark.parametrize("bad", [LONE_SURROGATE, NUL], ids=["lone surrogate", "NUL"])
async def test_unstorable_strings_are_422_wherever_they_enter(client: TestClient, api: Api, bad: str) -> None:
    json = {"Content-Type": "application/json"}
    resp = await client.post("/users", data=f'{{"login": {bad}, "password": "secret-pw"}}', headers=json)
    assert (await error_of(resp, 422))["details"]["fields"] == {"login": [UNSTORABLE]}

    alice = await api.register()
    resp = await client.post("/teams", data=f'{{"name": {bad}}}', headers=json | alice.headers)
    assert (await error_of(resp, 422))["details"]["fields"] == {"name": [UNSTORABLE]}

    team = await api.team(alice)
    ts = (await api.session(alice, team["id"]))["id"]
    url = f"/training-sessions/{ts}/problem/A/comments"
    resp = await client.post(url, data=f'{{"content": {bad}}}', headers=json | alice.headers)
    assert (await error_of(resp, 422))["details"]["fields"] == {"content": [UNSTORABLE]}
    assert await (await client.get(url, headers=alice.headers)).json() == []


async def test_editor_text_with_nul_is_invalid_and_a_lone_surrogate_is_not_json(client: TestClient, api: Api) -> None:
    alice = await api.register()
    team = await api.team(alice)
    ts = (await api.session(alice, team["id"]))["id"]
    ws = await training(client, alice, ts)
    await joined(ws, alice.id)
    for payload, code in ((NUL, "INVALID_MESSAGE"), (LONE_SURROGATE, "INVALID_JSON")):
        await ws.send_str(f'{{"type": "CODE_EDITOR_UPDATE", "payload": {{"code": {payload}, "problemAlias": "A"}}}}')
        reply = await next_json(ws)
        assert reply["type"] == "ERROR" and reply["payload"]["code"] == code, reply
    for deep in ("[" * 100_000 + "]" * 100_000, '{"type": "X", "payload": {"n": ' + "9" * 5000 + "}}"):
        await ws.send_str(deep)
        reply = await next_json(ws)
        assert reply["type"] == "ERROR" and reply["payload"]["code"] == "INVALID_JSON", reply
    resp = await client.get(f"/training-sessions/{ts}/code/A", headers=alice.headers)
    assert (await resp.json())["code"] == ""  # nothing was applied
    await ws.close()
