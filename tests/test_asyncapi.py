"""The AsyncAPI document: current, served, complete (every message type of the protocol), every reference resolving."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from server.asyncapi import DEFAULT_PATH, build_document, render
from server.ws import const
from server.ws.dispatcher import Dispatcher
from server.ws.handlers import DEFAULT_HANDLERS
from server.ws.limits import WsLimits


def test_committed_asyncapi_has_not_drifted() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == render(build_document()), "run `make openapi` and commit"


async def test_it_is_served(client: TestClient) -> None:
    resp = await client.get("/asyncapi.json")
    assert resp.status == 200 and (await resp.json()) == build_document()


def test_every_message_type_is_documented_in_its_rooms() -> None:
    doc = build_document()
    messages = doc["components"]["messages"]
    types = {m["name"] for m in messages.values()}
    client_types = Dispatcher(DEFAULT_HANDLERS, WsLimits()).types
    assert types == client_types | set(const.SERVER_ONLY)
    lobby = {messages[m]["name"] for m in doc["channels"]["lobby"]["messages"]}
    training = {messages[m]["name"] for m in doc["channels"]["training"]["messages"]}
    assert const.CODE_EDITOR_UPDATE in training and const.CODE_EDITOR_UPDATE not in lobby
    assert const.CONTEST_SELECTED in lobby and const.TRAINING_STARTED in lobby
    assert {const.USER_JOIN, const.ROOM_STATE, const.ERROR} <= lobby & training


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_reference_resolves_and_no_openapi_only_keyword_is_left() -> None:
    doc = build_document()
    for ref in _refs(doc):
        node: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
    assert '"nullable"' not in render(doc)  # JSON Schema spells it as a "null" type
    user = doc["components"]["schemas"]["User"]["properties"]
    assert user["default_avatar_id"]["type"] == ["string", "null"]
