"""Registration, login, tokens and the current user."""

from __future__ import annotations

import io
import json

import pytest
from aiohttp.test_utils import TestClient

from .support.api import Api, error_of


async def test_register_returns_user_object_and_working_token(client: TestClient) -> None:
    resp = await client.post("/users", json={"login": "alice", "password": "wonderland", "first_name": "Alice"})
    assert resp.status == 201
    body = await resp.json()
    user = body["user"]
    assert user == {
        "id": user["id"],
        "login": "alice",
        "first_name": "Alice",
        "last_name": "alice",
        "display_name": "alice",
        "real_name": "Alice alice",
        "default_avatar_id": None,
        "is_avatar_empty": True,
    }
    assert user["id"].isdigit()
    me = await client.get("/user/me", headers={"Authorization": f"OAuth {body['token']}"})
    assert me.status == 200
    assert await me.json() == user


async def test_names_default_to_login(api: Api) -> None:
    account = await api.register("bob", first_name="  ", last_name="")
    assert account.user["first_name"] == "bob" and account.user["last_name"] == "bob"


async def test_login_taken_is_409(api: Api, client: TestClient) -> None:
    await api.register("carol")
    resp = await client.post("/users", json={"login": "carol", "password": "another1"})
    assert (await error_of(resp, 409))["code"] == "CONFLICT"


async def test_login_issues_new_token_and_both_schemes_work(api: Api, client: TestClient) -> None:
    account = await api.register("dave")
    resp = await client.post("/auth/token", json={"login": "dave", "password": "secret-pw"})
    assert resp.status == 200
    body = await resp.json()
    assert body["token"] != account.token and body["user"]["id"] == account.id
    for header in (f"OAuth {body['token']}", f"Bearer {body['token']}", f"bearer {account.token}"):
        me = await client.get("/user/me", headers={"Authorization": header})
        assert me.status == 200, header


@pytest.mark.parametrize(
    "body",
    [{"login": "erin", "password": "wrong-one"}, {"login": "nobody-here", "password": "secret-pw"}],
)
async def test_bad_login_is_401(api: Api, client: TestClient, body: dict[str, str]) -> None:
    await api.register("erin")
    resp = await client.post("/auth/token", json=body)
    assert (await error_of(resp, 401))["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("header", [None, "", "OAuth", "Basic abc", "OAuth not-a-token", "Token x"])
async def test_missing_or_bad_token_is_401(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    resp = await client.get("/user/me", headers=headers)
    await error_of(resp, 401)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "secret-pw"}, "login"),
        ({"login": "x"}, "password"),
        ({"login": 5, "password": "secret-pw"}, "login"),
        ({"login": "has space", "password": "secret-pw"}, "login"),
        ({"login": "ok", "password": "short"}, "password"),
        ({"login": "ok", "password": ["secret-pw"]}, "password"),
    ],
)
async def test_register_validation_is_422_with_field(client: TestClient, body: dict[str, object], field: str) -> None:
    resp = await client.post("/users", json=body)
    error = await error_of(resp, 422)
    assert field in error["details"]["fields"]


async def test_malformed_json_is_400(client: TestClient) -> None:
    resp = await client.post("/users", data=b"{not json", headers={"Content-Type": "application/json"})
    assert (await error_of(resp, 400))["code"] == "INVALID_JSON"


async def test_json_array_body_is_422(client: TestClient) -> None:
    resp = await client.post("/users", json=["alice", "pw"])
    await error_of(resp, 422)


async def test_oversize_body_is_413(client: TestClient) -> None:
    body = io.BytesIO(json.dumps({"login": "big", "password": "x" * 400_000}).encode())
    resp = await client.post("/users", data=body, headers={"Content-Type": "application/json"})
    assert (await error_of(resp, 413))["code"] == "PAYLOAD_TOO_LARGE"


async def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    await error_of(await client.get("/no/such/path"), 404)
    resp = await client.put("/users")
    assert (await error_of(resp, 405))["code"] == "METHOD_NOT_ALLOWED"
