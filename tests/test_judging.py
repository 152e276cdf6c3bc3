"""The judging service through the real app: teams in turn, a per-team cap answered with 429."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config

from .support.api import Account, Api, error_of
from .support.submissions import SUM_PY, Verdicts, form, submit


def slow(n: int) -> bytes:
    """A correct solution that takes 0.3 s a test (asleep: no CPU, no time limit), distinct per n."""
    return f"import time\na, b = map(int, input().split())\ntime.sleep(0.3)\nprint(a + b)  # {n}\n".encode()


async def app_with(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config, **changes: object
) -> tuple[TestClient, Api]:
    client = await aiohttp_client(create_app(dataclasses.replace(config, **changes)))
    return client, Api(client)


def judged(verdicts: Verdicts) -> list[int]:
    """Run ids in the order their final verdicts were announced (not the "No report" of "testing")."""
    return [
        e.payload["id"]
        for e in verdicts.events
        if e.type == "SUBMISSION_VERDICT_RETRIEVED" and e.payload["verdict"] != "No report"
    ]


async def team_session(api: Api) -> tuple[Account, str]:
    who = await api.register()
    return who, (await api.session(who, (await api.team(who))["id"]))["id"]


async def test_a_teams_backlog_does_not_hold_up_another_team(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config
) -> None:
    # One sandbox run at a time: first in, first out would judge B after all three of A's submissions.
    client, api = await app_with(aiohttp_client, config, judge_workers=1)
    (alice, a_ts), (bob, b_ts) = await team_session(api), await team_session(api)
    verdicts = Verdicts(client)
    backlog = [await submit(client, alice, a_ts, slow(n)) for n in range(3)]
    quick = await submit(client, bob, b_ts, SUM_PY)
    assert (await verdicts.final(quick))["verdict"] == "OK"
    finished = judged(verdicts)
    assert backlog[1] not in finished and backlog[2] not in finished  # B's runs took turns with A's
    for run in backlog:
        assert (await verdicts.final(run))["verdict"] == "OK"
    finished = judged(verdicts)
    assert [f for f in finished if f in backlog] == backlog  # a team's own submissions stay in order


async def test_the_per_team_cap_is_answered_429_with_retry_after(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config
) -> None:
    client, api = await app_with(aiohttp_client, config, judge_queue_per_team=2)
    (alice, a_ts), (bob, b_ts) = await team_session(api), await team_session(api)
    verdicts = Verdicts(client)
    accepted = [await submit(client, alice, a_ts, slow(n)) for n in range(2)]
    resp = await client.post(f"/training-sessions/{a_ts}/submissions", data=form(slow(9)), headers=alice.headers)
    error = await error_of(resp, 429)
    assert error["code"] == "TOO_MANY_SUBMISSIONS" and error["details"]["limit"] == 2
    assert int(resp.headers["Retry-After"]) >= 1
    listing = await (await client.get(f"/training-sessions/{a_ts}/submissions", headers=alice.headers)).json()
    assert listing["count"] == 2  # the refused one was never stored
    # another team is not affected
    assert (await verdicts.final(await submit(client, bob, b_ts, SUM_PY)))["verdict"] == "OK"
    for run in accepted:
        await verdicts.final(run)
    # judged: the team has room again
    assert (await verdicts.final(await submit(client, alice, a_ts, SUM_PY)))["verdict"] == "OK"


async def test_a_judging_that_fails_unexpectedly_is_stored_as_a_judge_error(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config
) -> None:
    # The contest was replaced on disk while loaded: the problem still names test files that are gone,
    # and the judging fails with an error nobody foresaw. It ends with a verdict, never "No report".
    client, api = await app_with(aiohttp_client, config)
    alice, ts = await team_session(api)
    shutil.rmtree(config.contests_dir / "contest-1" / "a-sum" / "data")
    verdicts = Verdicts(client)
    run = await submit(client, alice, ts, SUM_PY)
    assert (await verdicts.final(run))["verdict"] == "CompilationError"  # no penalty: the judge failed
    full = await (await client.get(f"/training-sessions/{ts}/submissions/{run}/full", headers=alice.headers)).json()
    assert full["compileLog"].startswith("judge error: ")
    # a problem judged normally next to it is not affected
    assert (await verdicts.final(await submit(client, alice, ts, SUM_PY, problem="B")))["verdict"] == "OK"
