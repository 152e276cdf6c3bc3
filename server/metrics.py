"""Prometheus metrics of one app, on its own registry (no process-global state), served at /metrics.

Nothing is counted on the WebSocket hot path through prometheus_client: its counters take a lock
(~0.3 µs each). The hot path keeps plain ints where the messages already pass (WsTotals, each
socket's WriterStats, the dispatcher's refusals, the connection guard) and a collector reads them at
scrape time. Histograms are observed only where time is spent anyway: a REST request, a judged
submission, a snapshot.

Names (all prefixed trainer_):
  ws_connections, rooms{kind}, ws_messages_received_total, ws_messages_sent_total,
  ws_messages_dropped_total, ws_rate_limited_total,
  http_connections, http_connection_limit, http_connections_dropped_total{reason},
  http_request_duration_seconds{method,route,status},
  judge_queue_length, judge_wait_seconds, verdict_latency_seconds, verdict_write_retries_total,
  snapshot_duration_seconds, snapshot_rooms_written_total, snapshot_failures_total;
plus prometheus_client's process_* (CPU, memory, open descriptors and their limit).
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .domain.events import DomainEvent, SubmissionJudged

if TYPE_CHECKING:
    from .connections import ConnectionGuard
    from .rooms.registry import RoomRegistry
    from .rooms.snapshots import Snapshotter
    from .services.judging import JudgeService
    from .ws.hub import WsHub

_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class Metrics:
    """The registry and the instruments the parts of the app report to."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.http_latency = Histogram(
            "trainer_http_request_duration_seconds",
            "REST request handling time by route template (WebSocket sessions excluded)",
            ["method", "route", "status"],
            buckets=_FAST,
            registry=self.registry,
        )
        self.judge_wait = Histogram(
            "trainer_judge_wait_seconds",
            "time a submission waited in the judge queue",
            buckets=_SLOW,
            registry=self.registry,
        )
        self.verdict_latency = Histogram(
            "trainer_verdict_latency_seconds",
            "time from a submission's acceptance to its stored verdict",
            buckets=_SLOW,
            registry=self.registry,
        )
        self.snapshot_duration = Histogram(
            "trainer_snapshot_duration_seconds",
            "time to copy, encode and write the changed rooms of one snapshot",
            buckets=_FAST,
            registry=self.registry,
        )
        self.snapshot_rooms = Counter(
            "trainer_snapshot_rooms_written", "room snapshots written", registry=self.registry
        )

    def snapshot_saved(self, seconds: float, rooms: int) -> None:
        """Snapshotter callback after each successful save."""
        self.snapshot_duration.observe(seconds)
        self.snapshot_rooms.inc(rooms)

    def judge_waited(self, seconds: float) -> None:
        """JudgeService callback when a submission leaves the queue."""
        self.judge_wait.observe(seconds)

    def on_event(self, event: DomainEvent) -> None:
        """EventBus subscriber: a verdict's latency from the submission's acceptance."""
        if isinstance(event, SubmissionJudged):
            waited = datetime.now(UTC) - event.submission.dt_submitted
            self.verdict_latency.observe(max(0.0, waited.total_seconds()))

    def watch(
        self,
        hub: WsHub,
        guard: ConnectionGuard,
        rooms: RoomRegistry,
        judging: JudgeService,
        snapshotter: Snapshotter,
    ) -> None:
        """Export the live counts of these parts at every scrape."""
        self.registry.register(_Live(hub, guard, rooms, judging, snapshotter))


class _Live(Collector):
    """Reads the plain counters of the app's parts when /metrics is scraped."""

    def __init__(
        self, hub: WsHub, guard: ConnectionGuard, rooms: RoomRegistry, judging: JudgeService, snapshotter: Snapshotter
    ) -> None:
        self._hub, self._guard, self._rooms, self._judging, self._snapshotter = hub, guard, rooms, judging, snapshotter

    def collect(self) -> Iterator[Metric]:
        """Yield every live metric."""
        hub, guard = self._hub, self._guard
        yield GaugeMetricFamily("trainer_ws_connections", "open WebSocket connections", len(hub.connections))
        rooms = GaugeMetricFamily("trainer_rooms", "rooms in memory", labels=["kind"])
        by_kind = Tally(room.kind for room in self._rooms)
        for kind in ("lobby", "training"):
            rooms.add_metric([kind], by_kind.get(kind, 0))
        yield rooms
        sent, dropped = hub.frames_out()
        yield CounterMetricFamily("trainer_ws_messages_received", "text frames received", hub.totals.frames_in)
        yield CounterMetricFamily("trainer_ws_messages_sent", "frames written to sockets", sent)
        yield CounterMetricFamily(
            "trainer_ws_messages_dropped", "frames never written (socket closing, client too slow)", dropped
        )
        yield CounterMetricFamily(
            "trainer_ws_rate_limited", "frames refused with RATE_LIMITED", hub.dispatcher.rate_limited
        )
        yield GaugeMetricFamily("trainer_http_connections", "open HTTP connections (WebSockets included)", guard.open)
        yield GaugeMetricFamily("trainer_http_connection_limit", "connections allowed (MAX_CONNECTIONS)", guard.cap)
        reasons = CounterMetricFamily(
            "trainer_http_connections_dropped", "connections refused or cut by the guard", labels=["reason"]
        )
        stats = guard.stats
        for reason, count in (
            ("limit", stats.refused),
            ("evicted", stats.evicted),
            ("head_timeout", stats.head_timeouts),
            ("body_timeout", stats.body_timeouts),
        ):
            reasons.add_metric([reason], count)
        yield reasons
        yield GaugeMetricFamily(
            "trainer_judge_queue_length", "submissions waiting for the judge", self._judging.queue_length
        )
        yield CounterMetricFamily(
            "trainer_verdict_write_retries", "verdict writes that failed and were retried", self._judging.write_retries
        )
        yield CounterMetricFamily(
            "trainer_snapshot_failures", "snapshot saves that failed (retried)", self._snapshotter.failures
        )
