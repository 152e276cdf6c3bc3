"""/metrics (server.metrics, server.views.metrics): the names move with what happens, and who may read them."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from server.config import Config
from server.keys import METRICS

from .support.api import Api, error_of
from .support.submissions import SUM_PY, form
from .support.ws import ClientFactory, frame, joined, start, training, until

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: TestClient, **headers: str) -> Samples:
    """Every sample of /metrics by (name, labels)."""
    resp = await client.get("/metrics", headers=headers)
    assert resp.status == 200, await resp.text()
    assert resp.headers["Content-Type"].startswith("text/plain; version=")
    return parse(await resp.text())


def parse(text: str) -> Samples:
    """Samples of the Prometheus text format, read with prometheus_client's own parser."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when absent)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_counts_follow_sockets_rooms_judging_snapshots_and_requests(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    client = await start(aiohttp_client, config, rate_per_second=0.001, rate_burst=1)
    api = Api(client)
    alice, bob = await api.register(), await api.register()
    team = await api.team(alice, bob)
    ts = (await api.session(alice, team["id"]))["id"]
    a, b = await training(client, alice, ts), await training(client, bob, ts)
    await joined(a, alice.id)
    await joined(b, bob.id)
    await until(a, "USER_JOIN")
    for i in range(3):  # coalesced editor updates: never rate limited
        await a.send_str(frame("CODE_EDITOR_UPDATE", code=f"v{i}", problemAlias="A"))
        await until(b, "CODE_EDITOR_UPDATE")
    for _ in range(3):  # other frames spend the one token: two are refused
        await a.send_str("not json")
        await until(a, "ERROR")
    resp = await client.post(f"/training-sessions/{ts}/submissions", data=form(SUM_PY), headers=alice.headers)
    assert resp.status == 201, await resp.text()

    while (got := await until(b, "SUBMISSION_VERDICT_RETRIEVED"))["payload"]["verdict"] == "No report":
        pass  # the acceptance; then the verdict, published once stored

    samples = await scrape(client)
    assert got["payload"]["verdict"] == "OK" and value(samples, "trainer_verdict_latency_seconds_count") == 1
    assert value(samples, "trainer_ws_connections") == 2
    assert value(samples, "trainer_rooms", kind="training") == 1
    assert value(samples, "trainer_ws_messages_received_total") == 6  # alice's text frames, refused ones too
    assert value(samples, "trainer_ws_messages_sent_total") >= 6  # three updates echoed to two sockets, at least
    assert value(samples, "trainer_ws_rate_limited_total") == 2
    assert value(samples, "trainer_judge_wait_seconds_count") == 1
    assert value(samples, "trainer_judge_queue_length") == 0
    route = {"method": "POST", "route": "/training-sessions/{ts}/submissions", "status": "201"}
    assert value(samples, "trainer_http_request_duration_seconds_count", **route) == 1  # by template, not by id
    assert not [k for k in samples if k[0].startswith("trainer_http") and ("route", "/ws/training") in k[1]]
    assert value(samples, "process_open_fds") > 0

    await b.close()
    await until(a, "USER_LEAVE")
    samples = await scrape(client)
    assert value(samples, "trainer_ws_connections") == 1
    assert value(samples, "trainer_ws_messages_sent_total") >= 6  # counts of closed sockets are kept
    await a.close()
    await client.close()  # the final snapshot at the latest: the editor text changed
    samples = parse(generate_latest(client.app[METRICS].registry).decode())  # type: ignore[index]
    assert value(samples, "trainer_snapshot_duration_seconds_count") >= 1
    assert value(samples, "trainer_snapshot_rooms_written_total") >= 1


async def test_local_mode_refuses_forwarded_requests(client: TestClient) -> None:
    await scrape(client)
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        resp = await client.get("/metrics", headers={header: "203.0.113.9"})
        assert (await error_of(resp, 403))["code"] == "FORBIDDEN"


async def test_token_mode_wants_the_token(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await start(aiohttp_client, config, metrics="token", metrics_token="s3cret-metrics-token")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-metrics-token"}):
        await error_of(await client.get("/metrics", headers=headers), 403)
    await scrape(client, Authorization="Bearer s3cret-metrics-token")


async def test_off_means_no_route(aiohttp_client: ClientFactory, config: Config) -> None:
    client = await start(aiohttp_client, config, metrics="off")
    await error_of(await client.get("/metrics"), 404)


async def test_metrics_are_not_cross_origin(client: TestClient) -> None:
    resp = await client.get("/metrics", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers
