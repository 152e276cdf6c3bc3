"""Standings through the real app: two teams on one contest, real verdicts, exact penalty."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from schemas.submissions import StandingsSchema
from server.clock import to_iso
from server.keys import CONTESTS, STORE
from server.scoring import Attempt, Participant, standings
from server.services import standings as standings_service
from server.services.standings import RANK_INLINE_ROWS

from .support.api import Api, error_of
from .support.submissions import BROKEN_C, SUM_PY, WRONG_PY, Verdicts, submit


async def _started_minutes_ago(client: TestClient, session_id: str, minutes: int) -> None:
    """Move a session's start back so submissions land at a known minute (test set-up, not a mock)."""
    session = await client.app[STORE].sessions.get(session_id)
    assert session is not None
    start = to_iso(session.dt_created - timedelta(minutes=minutes))
    await client.app[STORE].db.write("UPDATE training_sessions SET dt_created = ? WHERE id = ?", (start, session_id))


async def test_two_teams_exact_penalty_and_order(api: Api, client: TestClient) -> None:
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    blue = await api.team(alice, name="Blue")
    red = await api.team(bob, carol, name="Red")
    other_contest = await api.team(carol, name="Elsewhere")
    ts_blue = (await api.session(alice, blue["id"]))["id"]
    ts_red = (await api.session(bob, red["id"]))["id"]
    await api.session(carol, other_contest["id"], contest_id=2)  # another contest: never a row here
    await _started_minutes_ago(client, ts_blue, 30)
    await _started_minutes_ago(client, ts_red, 12)
    verdicts = Verdicts(client)

    runs = [
        await submit(client, alice, ts_blue, WRONG_PY),  # Blue: A rejected at 30'
        await submit(client, alice, ts_blue, BROKEN_C, compiler="gcc_c17"),  # not penalized
        await submit(client, alice, ts_blue, SUM_PY),  # Blue: A accepted at 30' -> 30 + 20 = 50
        await submit(client, bob, ts_red, SUM_PY),  # Red: A accepted at 12'
        await submit(client, carol, ts_red, WRONG_PY, problem="B"),  # Red: B rejected
    ]
    for run in runs:
        await verdicts.final(run)
    await client.post(f"/training-sessions/{ts_blue}/complete", json={}, headers=alice.headers)
    await verdicts.final(await submit(client, alice, ts_blue, SUM_PY, problem="B"))  # upsolving: not counted

    body = await (await client.get(f"/contests/{ts_blue}/standings", headers=alice.headers)).json()
    assert body["titles"] == [{"name": "A", "title": "Sum A"}, {"name": "B", "title": "Sum B"}]
    rows = body["rows"]
    assert [r["participantInfo"] for r in rows] == [{"id": ts_red, "name": "Red"}, {"id": ts_blue, "name": "Blue"}]
    red_row, blue_row = rows
    assert (red_row["placeFrom"], red_row["placeTo"], red_row["score"], red_row["penalty"]) == ([1], [1], "1", 12)
    assert (blue_row["placeFrom"], blue_row["placeTo"], blue_row["score"], blue_row["penalty"]) == ([2], [2], "1", 50)
    assert red_row["problemResults"][0]["status"] == "ACCEPTED"
    assert red_row["problemResults"][0]["submissionCount"] == "1"
    assert 12 * 60 <= red_row["problemResults"][0]["submitDelay"] < 13 * 60
    assert red_row["problemResults"][1]["status"] == "NOT_ACCEPTED"
    assert blue_row["problemResults"][0]["submissionCount"] == "2"
    assert blue_row["problemResults"][1] == {"status": "NOT_SUBMITTED", "submissionCount": "0", "submitDelay": 0}
    same = await (await client.get(f"/contests/{ts_red}/standings", headers=bob.headers)).json()
    assert same == body


async def test_standings_access(api: Api, client: TestClient) -> None:
    alice, mallory = await api.register(), await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    await error_of(await client.get(f"/contests/{ts}/standings", headers=mallory.headers), 403)
    await error_of(await client.get(f"/contests/{ts}/standings"), 401)


async def full_recompute(client: TestClient, session_id: str) -> dict[str, Any]:
    """The standings as the server computed them before the cache: every submission of the contest, scored."""
    store = client.app[STORE]
    session = await store.sessions.get(session_id)
    assert session is not None
    contest = client.app[CONTESTS].get(session.contest_id)
    assert contest is not None
    sessions = await store.sessions.of_contest(contest.id)
    names = await store.teams.names([s.team_id for s in sessions])
    participants = [Participant(s.id, names[s.team_id]) for s in sessions]
    attempts = [
        Attempt(s.session_id, s.problem_alias, s.verdict, s.time_from_start, s.upsolving)
        for s in await store.submissions.of_contest(contest.id)
    ]
    titles = [(alias, p.name) for alias, p in contest.problems.items()]
    return StandingsSchema().dump(standings(titles, participants, attempts))  # type: ignore[no-any-return]


@pytest.mark.parametrize("inline_rows", [RANK_INLINE_ROWS, 0])  # ranked on the loop, or in a worker thread
async def test_the_kept_standings_equal_a_full_recompute_as_things_happen(
    api: Api, client: TestClient, monkeypatch: pytest.MonkeyPatch, inline_rows: int
) -> None:
    monkeypatch.setattr(standings_service, "RANK_INLINE_ROWS", inline_rows)
    repository = client.app[STORE].submissions
    whole_contest_reads = []
    read_whole_contest = repository.attempts_of_contest

    async def counted(contest_id: int) -> Any:
        whole_contest_reads.append(contest_id)
        return await read_whole_contest(contest_id)

    monkeypatch.setattr(repository, "attempts_of_contest", counted)  # a spy: the real query still runs
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    ts_blue = (await api.session(alice, (await api.team(alice, name="Blue"))["id"]))["id"]
    ts_red = (await api.session(bob, (await api.team(bob, name="Red"))["id"]))["id"]
    await _started_minutes_ago(client, ts_blue, 40)
    verdicts = Verdicts(client)

    async def check(expected_rows: int) -> dict[str, Any]:
        served = await (await client.get(f"/contests/{ts_blue}/standings", headers=alice.headers)).json()
        assert served == await full_recompute(client, ts_blue)
        assert len(served["rows"]) == expected_rows
        return served  # type: ignore[no-any-return]

    empty = await check(2)  # builds the table
    assert all(r["score"] == "0" for r in empty["rows"])
    await verdicts.final(await submit(client, alice, ts_blue, WRONG_PY))
    await check(2)
    both = [await submit(client, alice, ts_blue, SUM_PY), await submit(client, bob, ts_red, WRONG_PY, problem="B")]
    for run in both:  # judged by two workers, in either order
        await verdicts.final(run)
    after = await check(2)
    assert after["rows"][0]["participantInfo"]["name"] == "Blue" and after["rows"][0]["penalty"] == 60

    ts_green = (await api.session(carol, (await api.team(carol, name="Green"))["id"]))["id"]  # a row appears
    assert len((await check(3))["rows"]) == 3
    await verdicts.final(await submit(client, carol, ts_green, SUM_PY, problem="B"))
    green = next(r for r in (await check(3))["rows"] if r["participantInfo"]["name"] == "Green")
    assert green["score"] == "1"

    await client.post(f"/training-sessions/{ts_red}/complete", json={}, headers=bob.headers)
    before = await check(3)
    await verdicts.final(await submit(client, bob, ts_red, SUM_PY))  # upsolving: nothing moves
    assert await check(3) == before
    assert whole_contest_reads == [1]  # the contest's submissions were read once, to build the table
