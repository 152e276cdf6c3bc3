"""REST fuzzing from the committed openapi.json (schemathesis) against the real app on a free port.

Every documented operation gets schema-driven cases, valid and invalid, authenticated as a user with a team, a
session, a comment and a submission. A share of the cases is pointed at ids that exist (the caller's, or another
team's), the rest keep the generated ones. The server never answers 5xx, every answer matches its documented
status, content type and schema, and no traceback is logged. Two regressions found this way are pinned below.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.core.parameters import ParameterLocation

from server.clock import utcnow
from server.config import Config
from server.keys import STORE

from .support.fuzzing import tracebacks
from .support.liveserver import LiveServer
from .support.packages import write_contest

OPENAPI = Path(__file__).parent.parent / "openapi.json"
MAX_EXAMPLES = 25  # per operation, in the fuzzing phase (examples and coverage phases add their own cases)
PASSWORD = "secret-pw"

schema = schemathesis.openapi.from_path(OPENAPI)
# The Authorization header is ours to set (a valid token, always): generated or negated ones would only test
# that a random string is not a token, and would make a valid call look like accepted negative data.
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, with_security_parameters=False)
# Valid-looking data may still name things that do not exist (a login, a problem): 404 and 422 are the answers.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=["2xx", "401", "403", "404", "409", "422"]
)


@dataclass
class Account:
    """A user registered on the live server."""

    id: str
    login: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """The web client's Authorization header."""
        return {"Authorization": f"OAuth {self.token}"}


@dataclass
class World:
    """The live server and the ids that exist on it."""

    server: LiveServer
    http: requests.Session
    me: Account
    mate: Account
    team_id: int
    session_id: str
    submission_id: int
    foreign: dict[str, Any]  # ids of another team's records (403 territory)

    def call(self, method: str, path: str, body: dict[str, Any] | None, who: Account) -> requests.Response:
        """A set-up call."""
        return self.http.request(method, self.server.url + path, json=body, headers=who.headers, timeout=10)

    def make(self, path: str, body: dict[str, Any], who: Account | None = None) -> dict[str, Any]:
        """A set-up POST that must succeed."""
        resp = self.call("POST", path, body, who or self.me)
        assert resp.status_code in (200, 201), resp.text
        return resp.json()  # type: ignore[no-any-return]

    def mine(self, names: Iterator[str] | list[str]) -> dict[str, Any]:
        """Existing path values the caller may use (comments are made fresh: a case may delete one)."""
        values: dict[str, Any] = {"ts": self.session_id, "team_id": self.team_id, "alias": "A"}
        values |= {"user_id": int(self.mate.id), "id": self.submission_id}
        if "comment_id" in names:
            values["comment_id"] = self.make(
                f"/training-sessions/{self.session_id}/problem/A/comments", {"content": "c"}
            )["id"]
        return values

    def repair(self) -> None:
        """Undo what a member removal may have done to the main team (each invites the other, who accepts)."""
        for inviter, invitee in ((self.mate, self.me), (self.me, self.mate)):
            self.call("POST", f"/teams/{self.team_id}/members", {"login": invitee.login}, inviter)
            self.call("POST", f"/user/me/invitations/{self.team_id}/accept", None, invitee)

    def sign_in_again(self) -> None:
        """A new token for the caller after a case logged it out (the next cases use it)."""
        resp = self.http.post(
            self.server.url + "/auth/token", json={"login": self.me.login, "password": PASSWORD}, timeout=10
        )
        assert resp.status_code == 200, resp.text
        self.me.token = resp.json()["token"]


def _register(http: requests.Session, url: str, login: str) -> Account:
    resp = http.post(f"{url}/users", json={"login": login, "password": PASSWORD}, timeout=10)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    return Account(body["user"]["id"], login, body["token"])


async def _stored_submission(server: LiveServer, session_id: str, author_id: int) -> int:
    """A submission written straight to the store, so its id exists whatever the judge makes of it."""
    assert server.app is not None
    created = await server.app[STORE].submissions.create(
        session_id, "A", author_id, "python3_docker", b"print(1)\n", utcnow(), 1000, False
    )
    return created.id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One server for the whole module, with a user, a team, a session, a comment and a submission."""
    root = tmp_path_factory.mktemp("rest-fuzz")
    contests = root / "contests"
    contests.mkdir()
    write_contest(contests, 1, "Warm-up", 18000, "AB")
    write_contest(contests, 2, "Short", 3600, "A")
    config = Config(
        db_path=root / "var" / "trainer.db",
        contests_dir=contests,
        snapshot_interval=0.5,
        judge_workers=1,
        # every case comes from one address: the limits would answer 429 instead of exercising the routes
        auth_attempts_per_ip=100_000,
        auth_attempts_per_login=100_000,
        submissions_per_minute=10_000,
    )
    server = LiveServer(config)
    server.start()
    http = requests.Session()
    http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # each case says who it is, in a header
    try:
        me, mate, stranger = (_register(http, server.url, login) for login in ("fuzzer", "teammate", "stranger"))
        world = World(server, http, me, mate, 0, "", 0, {})
        world.team_id = world.make("/teams", {"name": "Fuzzers", "member_logins": [mate.login]})["id"]
        world.make(f"/user/me/invitations/{world.team_id}/accept", {}, mate)
        world.session_id = world.make("/training-sessions", {"team_id": world.team_id, "contest_id": 1})["id"]
        foreign_team = world.make("/teams", {"name": "Others"}, stranger)["id"]
        foreign_ts = world.make("/training-sessions", {"team_id": foreign_team, "contest_id": 2}, stranger)["id"]
        world.foreign = {"ts": foreign_ts, "team_id": foreign_team}
        world.submission_id = server.run(_stored_submission(server, world.session_id, int(me.id)))
        yield world
    finally:
        http.close()
        server.stop()


def _negated(case: Case, location: ParameterLocation) -> bool:
    """True when the case's data at this location was generated to be invalid (then it must stay so)."""
    component = case.meta.components.get(location) if case.meta is not None else None
    return component is not None and component.mode.is_negative


@schema.parametrize()
@schema.given(where=st.sampled_from(["generated", "mine", "mine", "foreign"]))
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_rest_conforms_to_openapi(case: Case, where: str, world: World, caplog: pytest.LogCaptureFixture) -> None:
    names = list(case.path_parameters or {})
    if where != "generated":
        values = world.mine(names) if where == "mine" else {**world.mine([]), **world.foreign}
        values |= {"contest_id": 1, "login": world.mate.login, "problem": "A", "compiler": "python3_docker"}
        for location, data in (
            (ParameterLocation.PATH, case.path_parameters),
            (ParameterLocation.QUERY, case.query),
            (ParameterLocation.BODY, case.body),
        ):
            if isinstance(data, dict) and not _negated(case, location):
                data.update({name: values[name] for name in data if name in values})
    response = case.call(base_url=world.server.url, headers=world.me.headers, session=world.http)
    try:
        case.validate_response(response, headers=world.me.headers, transport_kwargs={"base_url": world.server.url})
        assert response.status_code < 500
        assert not tracebacks(caplog)
    finally:
        if case.method.upper() == "DELETE" and "user_id" in names:
            world.repair()
        if case.method.upper() == "DELETE" and case.path in ("/auth/token", "/auth/tokens"):
            world.sign_in_again()


OVERSIZED_IDS = [
    ("GET", "/teams/{big}", None),
    ("GET", "/teams/{big}/online", None),
    ("GET", "/lobby/{big}/selected-contest", None),
    ("POST", "/teams/{big}/members", {"login": "fuzzer"}),
    ("DELETE", "/teams/{big}/members/1", None),
    ("DELETE", "/teams/{team}/members/{big}", None),
    ("GET", "/training-sessions?team_id={big}&contest_id=1", None),
    ("GET", "/training-sessions?team_id={team}&contest_id={big}", None),
    ("POST", "/training-sessions", {"team_id": "{big}", "contest_id": 1}),
    ("GET", "/training-sessions/team/{big}/reconnect", None),
    ("GET", "/training-sessions/{ts}/submissions/{big}", None),
    ("GET", "/training-sessions/{ts}/submissions/{big}/full", None),
]


@pytest.mark.parametrize("big", [2**63, -(2**63) - 1, 10**30])
def test_out_of_range_ids_are_rejected(world: World, caplog: pytest.LogCaptureFixture, big: int) -> None:
    """Every route that takes an integer id answers one beyond SQLite's 64-bit range with a 4xx, never 500.

    Found by this fuzzing: such ids reached SQLite and failed with OverflowError (fixed with ID_RANGE).
    """
    failures = []
    for method, template, body in OVERSIZED_IDS:
        fill = {"big": big, "team": world.team_id, "ts": world.session_id}
        path = template.format(**fill)
        sent = None if body is None else {k: int(v.format(**fill)) if v == "{big}" else v for k, v in body.items()}
        resp = world.call(method, path, sent, world.me)
        if not 400 <= resp.status_code < 500:
            failures.append(f"{method} {path} {sent or ''} -> {resp.status_code}")
    assert not failures, failures
    assert not tracebacks(caplog)


def test_malformed_multipart_part_header_is_400(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """A multipart part whose header aiohttp cannot parse is the client's fault: 400 JSON, not 500 (was 500)."""
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="\xc2\x96\x08\\"\r\n\r\n{{}}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="compiler"\r\n\r\npython3_docker\r\n--{boundary}--\r\n'
    ).encode("latin-1")
    resp = world.http.post(
        f"{world.server.url}/training-sessions/{world.session_id}/submissions",
        data=body,
        headers={**world.me.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        timeout=10,
    )
    assert resp.status_code == 400, resp.text
    assert set(resp.json()["error"]) == {"code", "message", "details"}
    assert not tracebacks(caplog)
