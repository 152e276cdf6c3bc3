"""Registration (open, invite, closed), login, logout, tokens (expiry, cap), passwords, throttling, the cookie."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import CookieJar, DummyCookieJar
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.clock import to_iso, utcnow
from server.config import Config
from server.contests.models import ContestCatalog
from server.domain.bus import EventBus
from server.domain.errors import Unauthenticated
from server.keys import STORE
from server.services.access import AccessService
from server.services.throttle import AuthThrottle
from server.services.users import NewAccount, UserService
from server.store import Store

from .support.api import Account, Api, error_of
from .support.store import open_store
from .support.ws import ClientFactory


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


# -- the cookie -----------------------------------------------------------------------------------------------


def _cookie_header(resp: object) -> str:
    headers = resp.headers.getall("Set-Cookie", [])  # type: ignore[attr-defined]
    (cookie,) = [h for h in headers if h.startswith("access_token=")]
    return str(cookie)


async def test_the_server_sets_an_httponly_lax_cookie_that_authenticates_its_own_pages(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    browser = await aiohttp_client(create_app(config), cookie_jar=CookieJar(unsafe=True))
    resp = await browser.post("/users", json={"login": "kim", "password": "secret-pw"})
    token = (await resp.json())["token"]
    cookie = _cookie_header(resp)
    assert cookie.startswith(f"access_token={token};")
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "path", "samesite", "max-age"} <= attributes and "secure" not in attributes
    assert "SameSite=Lax" in cookie and "Path=/" in cookie
    me = await browser.get("/user/me")  # no header: the browser's cookie from our own origin
    assert me.status == 200 and (await me.json())["login"] == "kim"
    resp = await browser.post("/auth/token", json={"login": "kim", "password": "secret-pw"})
    assert _cookie_header(resp).startswith(f"access_token={(await resp.json())['token']};")

    resp = await browser.delete("/auth/token")  # logout with the cookie alone
    assert resp.status == 204
    cleared = _cookie_header(resp)
    assert cleared.startswith('access_token="";') and "Max-Age=0" in cleared
    await error_of(await browser.get("/user/me"), 401)
    # only the cookie's token (the login's) was revoked: the registration's is another token
    assert (await browser.get("/user/me", headers={"Authorization": f"OAuth {token}"})).status == 200


@pytest.mark.parametrize(
    ("proxies", "proto", "secure"),
    [
        ((), "https", False),  # anyone can send the header: believed only from a trusted proxy
        (("127.0.0.1",), "https", True),
        (("127.0.0.0/8",), "http, https", True),  # the last proxy's word counts
        (("127.0.0.1",), "http", False),
        (("10.0.0.1",), "https", False),
    ],
)
async def test_the_cookie_is_secure_behind_https(
    aiohttp_client: ClientFactory, config: Config, proxies: tuple[str, ...], proto: str, secure: bool
) -> None:
    client = await aiohttp_client(create_app(replace(config, trusted_proxies=proxies)), cookie_jar=DummyCookieJar())
    resp = await client.post(
        "/users", json={"login": "sam", "password": "secret-pw"}, headers={"X-Forwarded-Proto": proto}
    )
    assert resp.status == 201
    assert ("; Secure" in _cookie_header(resp)) is secure


async def test_an_admin_creating_an_account_keeps_their_own_cookie(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    client = await aiohttp_client(create_app(replace(config, admin_logins=("root",))), cookie_jar=DummyCookieJar())
    root = await Api(client).register("root")
    resp = await client.post("/users", json={"login": "newbie", "password": "secret-pw"}, headers=root.headers)
    assert resp.status == 201
    assert not [h for h in resp.headers.getall("Set-Cookie", []) if h.startswith("access_token=")]
    plain = await Api(client).register()
    resp = await client.post("/users", json={"login": "other", "password": "secret-pw"}, headers=plain.headers)
    assert (await error_of(resp, 403))["code"] == "FORBIDDEN"  # only admins create accounts for others


# -- registration modes and invite codes ----------------------------------------------------------------------


@pytest.fixture
async def admin_db(aiohttp_client: ClientFactory, config: Config) -> AsyncIterator[Config]:
    """A config whose database already holds the admin `root` (registered while registration was open)."""
    first = await aiohttp_client(create_app(config), cookie_jar=DummyCookieJar())
    await Api(first).register("root")
    await first.close()
    yield replace(config, admin_logins=("root",))


async def _login(client: TestClient, login: str) -> Account:
    resp = await client.post("/auth/token", json={"login": login, "password": "secret-pw"})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    return Account(body["user"]["id"], login, body["token"], body["user"])


async def test_closed_registration_leaves_account_creation_to_admins(
    aiohttp_client: ClientFactory, admin_db: Config
) -> None:
    client = await aiohttp_client(create_app(replace(admin_db, registration="closed")), cookie_jar=DummyCookieJar())
    error = await error_of(await client.post("/users", json={"login": "eve", "password": "secret-pw"}), 403)
    assert "closed" in error["message"] and error["details"] == {"registration": "closed"}
    root = await _login(client, "root")
    resp = await client.post("/users", json={"login": "eve", "password": "secret-pw"}, headers=root.headers)
    assert resp.status == 201
    await _login(client, "eve")


async def test_invite_registration_spends_codes_made_by_admins(aiohttp_client: ClientFactory, admin_db: Config) -> None:
    client = await aiohttp_client(create_app(replace(admin_db, registration="invite")), cookie_jar=DummyCookieJar())
    root = await _login(client, "root")
    resp = await client.post("/invite-codes", json={"uses": 2, "days": 3}, headers=root.headers)
    assert resp.status == 201
    issued = await resp.json()
    assert set(issued) == {"id", "code", "uses_left", "dt_created", "expires_at"} and issued["uses_left"] == 2

    body = {"login": "u1", "password": "secret-pw"}
    error = await error_of(await client.post("/users", json=body), 422)
    assert "invite_code" in error["details"]["fields"]
    error = await error_of(await client.post("/users", json={**body, "invite_code": "guess"}), 422)
    assert error["details"]["fields"]["invite_code"] == ["unknown, used up or expired"]
    for login in ("u1", "u2"):
        resp = await client.post(
            "/users", json={"login": login, "password": "secret-pw", "invite_code": issued["code"]}
        )
        assert resp.status == 201, await resp.text()
    taken = await client.post("/users", json={**body, "invite_code": issued["code"]})
    assert (await error_of(taken, 409))["code"] == "CONFLICT"  # checked first: a taken login spends nothing
    used_up = await client.post("/users", json={"login": "u3", "password": "secret-pw", "invite_code": issued["code"]})
    await error_of(used_up, 422)

    listed = await (await client.get("/invite-codes", headers=root.headers)).json()
    assert listed == []  # used up codes are not listed
    second = await (await client.post("/invite-codes", json={}, headers=root.headers)).json()
    assert second["uses_left"] == 1
    listed = await (await client.get("/invite-codes", headers=root.headers)).json()
    assert [c["id"] for c in listed] == [second["id"]] and "code" not in listed[0]
    assert (await client.delete(f"/invite-codes/{second['id']}", headers=root.headers)).status == 204
    await error_of(await client.delete(f"/invite-codes/{second['id']}", headers=root.headers), 404)
    withdrawn = await client.post(
        "/users", json={"login": "u4", "password": "secret-pw", "invite_code": second["code"]}
    )
    await error_of(withdrawn, 422)

    u1 = await _login(client, "u1")
    for method, path, json_body in (
        ("POST", "/invite-codes", {}),
        ("GET", "/invite-codes", None),
        ("DELETE", f"/invite-codes/{issued['id']}", None),
    ):
        await error_of(await client.request(method, path, json=json_body, headers=u1.headers), 403)


async def test_an_expired_invite_code_is_refused(aiohttp_client: ClientFactory, admin_db: Config) -> None:
    app = create_app(replace(admin_db, registration="invite"))
    client = await aiohttp_client(app, cookie_jar=DummyCookieJar())
    root = await _login(client, "root")
    issued = await (await client.post("/invite-codes", json={"days": 1}, headers=root.headers)).json()
    store: Store = app[STORE]
    await store.db.write("UPDATE invite_codes SET expires_at = ?", (to_iso(utcnow() - timedelta(seconds=1)),))
    resp = await client.post("/users", json={"login": "late", "password": "secret-pw", "invite_code": issued["code"]})
    await error_of(resp, 422)


# -- logout, tokens -------------------------------------------------------------------------------------------


async def test_logout_revokes_only_the_token_used(api: Api, client: TestClient) -> None:
    first = await api.register("lou")
    second = await _login(client, "lou")
    assert (await client.delete("/auth/token", headers=first.headers)).status == 204
    await error_of(await client.get("/user/me", headers=first.headers), 401)
    assert (await client.get("/user/me", headers=second.headers)).status == 200
    await error_of(await client.delete("/auth/token", headers=first.headers), 401)


async def test_log_out_everywhere_revokes_every_token(api: Api, client: TestClient) -> None:
    first = await api.register("max")
    second = await _login(client, "max")
    other = await api.register()
    assert (await client.delete("/auth/tokens", headers=second.headers)).status == 204
    for account in (first, second):
        await error_of(await client.get("/user/me", headers=account.headers), 401)
    assert (await client.get("/user/me", headers=other.headers)).status == 200
    await _login(client, "max")  # the password still works


async def test_logins_keep_at_most_max_tokens_per_user(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await aiohttp_client(create_app(replace(config, max_tokens_per_user=3)), cookie_jar=DummyCookieJar())
    registered = await Api(client).register("tom")
    logins = [await _login(client, "tom") for _ in range(3)]
    await error_of(await client.get("/user/me", headers=registered.headers), 401)  # the least recently used
    for account in logins:
        assert (await client.get("/user/me", headers=account.headers)).status == 200
    assert await client.app[STORE].users.token_count(int(registered.id)) == 3


async def test_password_change_keeps_this_token_and_revokes_the_others(api: Api, client: TestClient) -> None:
    here = await api.register("pat")
    elsewhere = await _login(client, "pat")
    wrong = {"current_password": "not-it", "new_password": "brand-new-pw"}
    error = await error_of(await client.post("/user/me/password", json=wrong, headers=here.headers), 422)
    assert error["details"]["fields"] == {"current_password": ["wrong password"]}
    short = {"current_password": "secret-pw", "new_password": "short"}
    await error_of(await client.post("/user/me/password", json=short, headers=here.headers), 422)
    right = {"current_password": "secret-pw", "new_password": "brand-new-pw"}
    assert (await client.post("/user/me/password", json=right, headers=here.headers)).status == 204
    assert (await client.get("/user/me", headers=here.headers)).status == 200
    await error_of(await client.get("/user/me", headers=elsewhere.headers), 401)
    await error_of(await client.post("/auth/token", json={"login": "pat", "password": "secret-pw"}), 401)
    resp = await client.post("/auth/token", json={"login": "pat", "password": "brand-new-pw"})
    assert resp.status == 200


@pytest.mark.parametrize("field", ["first_name", "last_name"])
async def test_user_names_refuse_control_and_format_characters(client: TestClient, field: str) -> None:
    resp = await client.post("/users", json={"login": "zed", "password": "secret-pw", field: "Ad\u202emin"})
    assert field in (await error_of(resp, 422))["details"]["fields"]


class Clock:
    """A clock the test moves by hand (services take one, so expiry needs no sleeping)."""

    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=utcnow().tzinfo)

    def __call__(self) -> datetime:
        return self.now


async def test_tokens_expire_after_the_idle_time_and_uses_are_written_coarsely(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "trainer.db")
    try:
        clock = Clock()
        access = AccessService(store, ContestCatalog(), token_idle=timedelta(days=2), clock=clock)
        users = UserService(store, access, EventBus(), AuthThrottle(100, 100), clock=clock)
        issued = await users.register(NewAccount("ida", "secret-pw"), "198.51.100.7")
        other = await users.login("ida", "secret-pw", "198.51.100.7")

        async def last_used() -> str:
            row = await store.db.fetch_one(
                "SELECT last_used FROM tokens WHERE user_id = ? ORDER BY rowid LIMIT 1", (issued.user.id,)
            )
            assert row is not None
            return str(row["last_used"])

        created = await last_used()
        clock.now += timedelta(minutes=30)
        assert await access.user_for_token(issued.token) == issued.user
        assert await last_used() == created  # used again soon: nothing written
        clock.now += timedelta(days=1, hours=12)  # 1.5 days idle: still fine, and now the use is written
        assert await access.user_for_token(issued.token) == issued.user
        assert await last_used() == to_iso(clock.now)
        clock.now += timedelta(days=1, hours=23)  # under 2 days since that use
        assert await access.user_for_token(issued.token) == issued.user
        clock.now += timedelta(days=2, seconds=1)
        with pytest.raises(Unauthenticated, match="expired"):
            await access.user_for_token(issued.token)
        with pytest.raises(Unauthenticated, match="unknown"):  # and it is gone
            await access.user_for_token(issued.token)
        with pytest.raises(Unauthenticated, match="expired"):  # the other one idled as long
            await access.user_for_token(other.token)
        fresh = await users.login("ida", "secret-pw", "198.51.100.7")
        assert await access.user_for_token(fresh.token) == issued.user
    finally:
        await store.close()


# -- throttling -----------------------------------------------------------------------------------------------


async def test_logins_are_throttled_per_login_with_retry_after(aiohttp_client: ClientFactory, config: Config) -> None:
    settings = replace(config, auth_attempts_per_login=3, auth_attempts_per_ip=100)
    client = await aiohttp_client(create_app(settings), cookie_jar=DummyCookieJar())
    await Api(client).register("erin")
    for _ in range(2):
        await error_of(await client.post("/auth/token", json={"login": "erin", "password": "guess-1"}), 401)
    resp = await client.post("/auth/token", json={"login": "erin", "password": "guess-2"})
    await error_of(resp, 429)  # registration was the first attempt of 'erin'
    error = await error_of(await client.post("/auth/token", json={"login": "erin", "password": "secret-pw"}), 429)
    assert error["code"] == "TOO_MANY_REQUESTS"
    retry = int(resp.headers["Retry-After"])
    assert 1 <= retry <= 20 and error["details"]["retryAfter"] >= 1  # 3 a minute: one every 20 s
    assert (await client.post("/auth/token", json={"login": "other", "password": "x"})).status == 401


async def test_attempts_are_throttled_per_client_address(aiohttp_client: ClientFactory, config: Config) -> None:
    settings = replace(config, auth_attempts_per_ip=3, auth_attempts_per_login=100)
    client = await aiohttp_client(create_app(settings), cookie_jar=DummyCookieJar())
    await Api(client).register("fay")
    await error_of(await client.post("/auth/token", json={"login": "x1", "password": "pw"}), 401)
    forged = {"X-Forwarded-For": "203.0.113.9"}  # ignored: no trusted proxy is configured
    await error_of(await client.post("/auth/token", json={"login": "x2", "password": "pw"}, headers=forged), 401)
    resp = await client.post("/users", json={"login": "x3", "password": "secret-pw"})
    assert resp.status == 429 and int(resp.headers["Retry-After"]) >= 1


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    settings = replace(config, auth_attempts_per_ip=2, auth_attempts_per_login=100, trusted_proxies=("127.0.0.1",))
    client = await aiohttp_client(create_app(settings), cookie_jar=DummyCookieJar())
    for client_ip in ("203.0.113.1", "203.0.113.2"):
        headers = {"X-Forwarded-For": f"198.51.100.1, {client_ip}"}  # the proxy appended the real client last
        for n in range(2):
            resp = await client.post("/auth/token", json={"login": f"n{n}", "password": "pw"}, headers=headers)
            assert resp.status == 401
        resp = await client.post("/auth/token", json={"login": "n9", "password": "pw"}, headers=headers)
        assert resp.status == 429
