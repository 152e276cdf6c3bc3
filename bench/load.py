"""Load generator for /ws/training: N rooms of three clients, one controller each editing a problem.

Run it as its own process against the real server (`--mode server`: teams and sessions are made
through the REST API) or against bench/floor.py (`--mode floor`: made-up ids, no REST). Each
room's controller sends CONTROL_TAKEN, then CODE_EDITOR_UPDATE frames holding K bytes of code,
either at R per second (`--rate R`) or as fast as its own echo returns (`--rate 0`, one message
in flight per room). The send time is stamped at the start of the code text, so delivery latency
is measured at every receiver: the two other clients ("peer") and the sender ("echo").
`--idle` opens the sockets and sends nothing, to measure the server's memory per connection.

The sockets are picows clients (Cython), driven by callbacks rather than one task per socket:
a frame is handled in `Client.on_ws_frame` as it is parsed, and at saturation the controller
sends its next update from its echo's callback. That keeps the generator several times cheaper
per update than the targets, so the target, not the generator, runs out of CPU first. The REST
setup, which is not hot, uses aiohttp.

    python bench/load.py --url http://127.0.0.1:8000 --server-pid PID --rooms 200 --rate 0 --duration 10

Results go to stdout as one JSON object (and to `--json FILE`); a summary goes to stderr.
Everything is bounded: setup, connects, the measured window, the drain and the closes all have
deadlines, and `--max-seconds` caps the whole run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import random
import secrets
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
from benchlib import ProcSample, machine_busy_s, percentile, proc_sample, raise_nofile, self_sample
from picows import WSCloseCode, WSError, WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

MARK = "//#B"  # marker + 9-digit seq + ":" + 19-digit monotonic ns + "#", at the start of the code
_MARK_B = MARK.encode()
_SEQ = slice(len(MARK), len(MARK) + 9)
_STAMP = slice(len(MARK) + 10, len(MARK) + 29)
_MARK_LEN = len(MARK) + 30  # with the trailing "#"
_CODE_LINES = (
    "#include <bits/stdc++.h>\n",
    "using namespace std;\n",
    "int main() {\n",
    '    ios::sync_with_stdio(false); cin.tie(nullptr);  // "fast" IO\n',
    "    long long n, k; cin >> n >> k;\n",
    "    vector<long long> a(n);\n",
    "    for (auto &x : a) cin >> x;\n",
    "    sort(a.begin(), a.end());\n",
    '    printf("%lld\\n", accumulate(a.begin(), a.begin() + k, 0LL));\n',
    "}\n",
)
_NS = 1_000_000_000
_BIN = _NS // 10  # timeline bins: 100 ms
_TEXT = WSMsgType.TEXT
_ABNORMAL = "1006"  # the socket ended without a CLOSE frame from the target (RFC 6455 §7.1.5)
_now_ns = time.monotonic_ns


def code_body(size: int) -> str:
    """Plausible C++ (quotes, backslashes, newlines: the JSON escaping a real editor pays) of `size` bytes."""
    text = "".join(_CODE_LINES)
    reps = size // len(text) + 1
    return (text * reps)[:size]


@dataclass(slots=True)
class Options:
    """Command-line options."""

    url: str
    mode: str
    rooms: int
    code_bytes: int
    rate: float
    duration: float
    warmup: float
    idle: bool
    settle: float
    server_pid: int | None
    connect_concurrency: int
    setup_concurrency: int
    problem: str
    contest_id: int | None
    echo_timeout: float
    backoff: float
    drain: float
    max_seconds: float
    json_path: str | None
    label: str
    timeline: bool


@dataclass(slots=True)
class Stats:
    """Counters shared by every client; the window bounds are monotonic ns, infinite until set."""

    w0: int = 1 << 62
    w1: int = 1 << 62
    frames_window: int = 0
    frames_total: int = 0
    sent_total: int = 0
    sent_window: int = 0
    rejected_window: int = 0
    peer_lat: list[int] = field(default_factory=list)
    echo_lat: list[int] = field(default_factory=list)
    send_lag: list[int] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    closes: Counter[str] = field(default_factory=Counter)
    connect_failures: Counter[str] = field(default_factory=Counter)
    echo_timeouts: int = 0
    timeline: list[int] | None = None  # max latency (ns) per 100 ms of send time, with --timeline


class Room:
    """One training room as the generator sees it: its clients and, once loading, its controller's Sender."""

    __slots__ = ("clients", "control_done", "control_seen", "index", "room_id", "sender")

    def __init__(self, index: int, room_id: str) -> None:
        self.index = index
        self.room_id = room_id
        self.clients: list[Client] = []
        self.sender: Sender | None = None
        self.control_seen = 0
        self.control_done = asyncio.Event()


class Client(WSListener):
    """One socket; picows calls on_ws_frame for each frame, which classifies it and records latencies."""

    __slots__ = (
        "closing",
        "controller",
        "ended",
        "fragments",
        "in_room",
        "joined",
        "lat",
        "room",
        "stats",
        "token",
        "transport",
        "user_id",
    )

    def __init__(self, room: Room, user_id: int, token: str, controller: bool, stats: Stats) -> None:
        super().__init__()
        self.room = room
        self.user_id = user_id
        self.token = token
        self.controller = controller
        self.stats = stats
        self.lat = stats.echo_lat if controller else stats.peer_lat  # chosen once, not per frame
        self.transport: WSTransport | None = None
        self.joined = asyncio.Event()  # set on ROOM_STATE, or when the socket ends before it
        self.in_room = False
        self.closing = False  # we are closing: the target's CLOSE is the expected answer, not a problem
        self.ended = False
        self.fragments: bytearray | None = None

    def url(self, base: str) -> str:
        """The training socket URL of this client."""
        ws_base = base.replace("http://", "ws://", 1)
        return (
            f"{ws_base}/ws/training?training_session_id={self.room.room_id}&user_id={self.user_id}&token={self.token}"
        )

    def on_ws_connected(self, transport: WSTransport) -> None:
        """Handshake done: keep the transport for sending and closing."""
        self.transport = transport

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        """One frame in; the hot path is one payload copy, one bytes.find and int arithmetic."""
        now = _now_ns()
        if frame.msg_type is not _TEXT or not frame.fin:
            data = self._unusual(transport, frame)
            if data is None:
                return
        else:
            data = frame.get_payload_as_bytes()  # the frame's memory is reused once we return
        stats = self.stats
        stats.frames_total += 1
        if stats.w0 <= now < stats.w1:
            stats.frames_window += 1
        i = data.find(_MARK_B, 0, 256)
        if i < 0:
            self._other(data, now)
            return
        sent = int(data[i + _STAMP.start : i + _STAMP.stop])
        if stats.w0 <= sent < stats.w1:
            self.lat.append(now - sent)
            if stats.timeline is not None:
                b = (sent - stats.w0) // _BIN
                if now - sent > stats.timeline[b]:
                    stats.timeline[b] = now - sent
        if self.controller:
            sender = self.room.sender
            if sender is not None:
                sender.echoed(int(data[i + _SEQ.start : i + _SEQ.stop]))

    def _unusual(self, transport: WSTransport, frame: WSFrame) -> bytes | None:
        """Not a whole text frame: CLOSE, a fragment (the targets never fragment), anything else ends the socket."""
        kind = frame.msg_type
        if kind is WSMsgType.PONG:  # unsolicited (picows answers PINGs itself): ignored, as aiohttp's autoping did
            return None
        if kind is WSMsgType.CLOSE:
            if not transport.is_close_frame_sent:  # answer the target's close with its code, as aiohttp did
                code = frame.get_close_code()
                transport.send_close(WSCloseCode.OK if code == WSCloseCode.NO_INFO else code)
            transport.disconnect()
            self._end()
            return None
        if kind is _TEXT or (kind is WSMsgType.CONTINUATION and self.fragments is not None):
            if kind is _TEXT:
                self.fragments = bytearray()
            assert self.fragments is not None
            self.fragments += frame.get_payload_as_bytes()
            if not frame.fin:
                return None
            data, self.fragments = bytes(self.fragments), None
            return data
        # Binary or an orphan continuation: the old aiohttp reader stopped on any non-text message and
        # counted it under its type; do the same, and close the socket.
        if not self.closing:
            self.stats.closes[kind.name] += 1
        self.ended = True
        self._end()
        transport.send_close(WSCloseCode.UNSUPPORTED_DATA)
        transport.disconnect()
        return None

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        """The socket is gone: count how it ended unless we were closing it ourselves."""
        if not self.closing and not self.ended:
            shake = transport.close_handshake
            if shake is None or shake.recv is None:
                code = _ABNORMAL
            elif shake.sent is not None and not shake.recv_then_sent:
                # We closed first: an exception in on_ws_frame (picows logs it), a bug here, not the target's.
                code = f"client {int(shake.sent.code)}"
            else:
                code = str(int(shake.recv.code))
            self.stats.closes[code] += 1
        self.ended = True
        self._end()

    def _end(self) -> None:
        """Wake whoever waits for ROOM_STATE (no need to wait 30 s) and stop the controller if this is it."""
        self.joined.set()
        if self.controller and self.room.sender is not None:
            self.room.sender.finish()

    def pause_writing(self) -> None:
        """Only controllers send, a few KB at a time; the transport buffers, as aiohttp's writer did."""

    def resume_writing(self) -> None:
        """See pause_writing."""

    def _other(self, data: bytes, now: int) -> None:
        """Frames without the marker: joins, state, control, errors (rare, so parsing them is fine)."""
        try:
            msg = orjson.loads(data)
            type_, payload = msg["type"], msg["payload"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            self.stats.errors["UNPARSEABLE_FRAME"] += 1
            return
        if type_ == "ROOM_STATE":
            self.in_room = True
            self.joined.set()
        elif type_ == "CONTROL_TAKEN":
            self.room.control_seen += 1
            if self.room.control_seen >= len(self.room.clients):
                self.room.control_done.set()
        elif type_ == "ERROR":
            stats = self.stats
            code = str(payload.get("code"))
            stats.errors[code] += 1
            # Only controllers send, so an ERROR there refuses a CODE_EDITOR_UPDATE (a RATE_LIMITED
            # one names no requestType); counted against the window to compute what was lost.
            if self.controller:
                if now >= stats.w0:
                    stats.rejected_window += 1
                if self.room.sender is not None:
                    self.room.sender.refused()

    def send_text(self, text: str) -> None:
        """Send one text frame (setup path)."""
        assert self.transport is not None
        self.transport.send(_TEXT, text.encode())

    async def close(self) -> None:
        """Close gracefully within 5 s (CLOSE, the target's CLOSE, TCP close), else drop the socket."""
        transport = self.transport
        if transport is None or transport.is_disconnected:
            return
        self.closing = True
        try:
            if not transport.is_close_frame_sent:
                transport.send_close(WSCloseCode.OK)
            async with asyncio.timeout(5):
                await transport.wait_disconnected()
        except Exception:  # a timeout, or the exception an on_ws_frame raised (already logged by picows)
            transport.disconnect(graceful=False)


class Sender:
    """A room's controller, driven by callbacks: no task wakes and no future is made per update.

    At saturation the next update goes out from the callback of the previous one's echo; at a
    fixed rate from `loop.call_at` timers. The frame is one bytearray built once: each send
    overwrites the seq and stamp in place, and picows copies it (masking) into its write buffer.
    """

    __slots__ = (
        "backoff",
        "buf",
        "client",
        "done",
        "due",
        "inflight_at",
        "inflight_seq",
        "interval",
        "loop",
        "on_done",
        "seq",
        "stamp_at",
        "stats",
        "stop",
        "stop_ns",
        "timer",
        "transport",
    )

    def __init__(
        self,
        client: Client,
        opts: Options,
        stats: Stats,
        parts: tuple[bytes, bytes],
        stop: float,
        on_done: Callable[[], None],
    ) -> None:
        assert client.transport is not None
        head, tail = parts
        self.client = client
        self.transport = client.transport
        self.stats = stats
        self.loop = asyncio.get_running_loop()
        self.buf = bytearray(head + _MARK_B + b"0" * 29 + b"#" + tail)
        self.stamp_at = len(head) + len(_MARK_B)
        self.stop = stop
        self.stop_ns = int(stop * _NS)  # loop.time() is time.monotonic(): the same clock as the stamps
        self.interval = 1.0 / opts.rate if opts.rate > 0 else 0.0
        self.backoff = opts.backoff
        self.due = 0.0
        self.seq = 0
        self.inflight_seq = -1  # saturation: the seq whose echo is awaited, -1 when none
        self.inflight_at = 0
        self.timer: asyncio.TimerHandle | None = None
        self.done = False
        self.on_done = on_done

    def start(self, start: float) -> None:
        """Fixed rate: first send at a random phase within one interval after `start`; saturation: now."""
        if self.interval:
            self.due = start + random.random() * self.interval  # spread the rooms' phases over one interval
            self.timer = self.loop.call_at(self.due, self._tick)
        else:
            self._send()

    def finish(self) -> None:
        """No more sends (the window's end, or the socket ended); reported once."""
        if not self.done:
            self.done = True
            self.inflight_seq = -1
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            self.on_done()

    def _tick(self) -> None:
        """Fixed rate: send the update that is due, and schedule the next one."""
        self.timer = None
        if self.done or self.loop.time() >= self.stop:
            self.finish()
            return
        due = self.due
        stamp = self._send()
        if stamp < 0:
            return
        stats = self.stats
        # How late the send is against its schedule: latency stamps start at the send, so this
        # shows whether the generator itself kept up (an overloaded client hides queueing here).
        if stats.w0 <= stamp < stats.w1:
            stats.send_lag.append(max(0, stamp - int(due * _NS)))
        due += self.interval
        if self.loop.time() - due > 1.0:  # more than a second behind: skip ahead instead of bursting
            due = self.loop.time()
        self.due = due
        self.timer = self.loop.call_at(due, self._tick)

    def _send(self) -> int:
        """Stamp and send one update; returns the stamp, or -1 when the run (or the socket) is over."""
        if self.done:
            return -1
        stamp = _now_ns()
        if stamp >= self.stop_ns or self.client.ended:
            self.finish()
            return -1
        self.seq += 1
        seq = self.seq
        at = self.stamp_at
        self.buf[at : at + 29] = b"%09d:%019d" % (seq, stamp)  # same length: overwritten in place
        if not self.interval:
            self.inflight_seq, self.inflight_at = seq, stamp
        try:
            self.transport.send(_TEXT, self.buf)
        except (ConnectionError, RuntimeError, OSError):
            self.finish()
            return -1
        stats = self.stats
        stats.sent_total += 1
        if stats.w0 <= stamp < stats.w1:
            stats.sent_window += 1
        return stamp

    def echoed(self, seq: int) -> None:
        """Our own update came back: at saturation, send the next one right away."""
        if seq == self.inflight_seq:
            self.inflight_seq = -1
            self._send()

    def refused(self) -> None:
        """The in-flight update was refused (e.g. RATE_LIMITED): back off like a polite client instead of spinning."""
        if self.inflight_seq >= 0:
            self.inflight_seq = -1
            self.timer = self.loop.call_later(self.backoff, self._after_backoff)

    def _after_backoff(self) -> None:
        """The back-off after a refusal is over: send the next update."""
        self.timer = None
        self._send()

    def check_echo(self, now: int, limit_ns: int) -> None:
        """Saturation: an echo that has not come back within the limit counts as a timeout; go on."""
        if self.inflight_seq >= 0 and now - self.inflight_at > limit_ns:
            self.stats.echo_timeouts += 1
            self.inflight_seq = -1
            self._send()


class SetupError(RuntimeError):
    """The REST setup or the connects failed badly enough that measuring makes no sense."""


async def _call(
    http: aiohttp.ClientSession, method: str, url: str, body: dict[str, Any] | None = None, token: str | None = None
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.request(method, url, json=body, headers=headers) as resp:
        if resp.status not in (200, 201):
            raise SetupError(f"{method} {url} answered {resp.status}: {(await resp.text())[:300]}")
        return await resp.json()


async def _bounded(items: int, concurrency: int, make: Callable[[int], Awaitable[Any]], deadline_s: float) -> list[Any]:
    """Run make(i) for every i with at most `concurrency` at once, all within deadline_s."""
    sem = asyncio.Semaphore(concurrency)

    async def one(i: int) -> Any:
        async with sem:
            return await make(i)

    async with asyncio.timeout(deadline_s):
        return await asyncio.gather(*(one(i) for i in range(items)))


async def rest_setup(http: aiohttp.ClientSession, opts: Options, stats: Stats) -> list[Room]:
    """Three users (shared by every team: a user may belong to many), N teams, N running sessions.

    The server must allow that many teams per user (bench/run.py sets MAX_TEAMS_PER_USER).
    """
    base = opts.url
    tag = secrets.token_hex(4)
    users = await asyncio.gather(
        *(
            _call(http, "POST", f"{base}/users", {"login": f"bench-{tag}-{i}", "password": "bench-password"})
            for i in range(3)
        )
    )
    logins = [u["user"]["login"] for u in users]
    ids = [int(u["user"]["id"]) for u in users]
    tokens = [str(u["token"]) for u in users]
    contest_id = opts.contest_id
    if contest_id is None:
        contests = await _call(http, "GET", f"{base}/contests", token=tokens[0])
        if not contests:
            raise SetupError("the server has no contests loaded")
        contest_id = int(contests[0]["id"])

    async def make_room(i: int) -> Room:
        team = await _call(
            http, "POST", f"{base}/teams", {"name": f"bench {tag} {i}", "member_logins": logins[1:]}, tokens[0]
        )
        for token in tokens[1:]:  # the two others were invited: they join by accepting
            await _call(http, "POST", f"{base}/user/me/invitations/{team['id']}/accept", None, token)
        session = await _call(
            http, "POST", f"{base}/training-sessions", {"team_id": team["id"], "contest_id": contest_id}, tokens[0]
        )
        room = Room(i, str(session["id"]))
        room.clients = [Client(room, ids[k], tokens[k], k == 0, stats) for k in range(3)]
        return room

    return await _bounded(opts.rooms, opts.setup_concurrency, make_room, deadline_s=max(60.0, opts.rooms * 0.1))


def floor_setup(opts: Options, stats: Stats) -> list[Room]:
    """Made-up ids: the floor checks nothing."""
    rooms = []
    for i in range(opts.rooms):
        room = Room(i, str(uuid.uuid4()))
        room.clients = [Client(room, k + 1, "x", k == 0, stats) for k in range(3)]
        rooms.append(room)
    return rooms


async def connect_all(opts: Options, rooms: list[Room], stats: Stats) -> list[Room]:
    """Open every socket and wait for each to be in its room; returns the rooms whose three clients made it."""
    clients = [c for room in rooms for c in room.clients]

    async def connect(i: int) -> None:
        client = clients[i]
        try:
            # The handshake timeout (30 s, like the aiohttp client's connect timeout) fires first and
            # closes the socket; the outer one only bounds the TCP connect.
            async with asyncio.timeout(35):
                await ws_connect(
                    lambda *_: client,  # picows passes (request, response) to a factory that takes them
                    client.url(opts.url),
                    websocket_handshake_timeout=30,
                    enable_auto_pong=True,
                    max_frame_size=1 << 30,  # no practical limit, as max_msg_size=0 was
                    logger_name="bench",
                )
        except (WSError, OSError, TimeoutError) as exc:
            stats.connect_failures[type(exc).__name__] += 1
            return
        try:
            async with asyncio.timeout(30):
                await client.joined.wait()
        except TimeoutError:
            pass
        if not client.in_room:
            stats.connect_failures["NO_ROOM_STATE"] += 1

    await _bounded(len(clients), opts.connect_concurrency, connect, deadline_s=max(60.0, len(clients) * 0.05))
    return [r for r in rooms if all(c.in_room and not c.ended for c in r.clients)]


async def take_control(rooms: list[Room], stats: Stats) -> list[Room]:
    """Each controller sends CONTROL_TAKEN; returns the rooms where all three clients saw it."""
    for room in rooms:
        ctrl = room.clients[0]
        taken = {"type": "CONTROL_TAKEN", "payload": {"userId": str(ctrl.user_id)}}
        ctrl.send_text(orjson.dumps(taken).decode())
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(30):
            await asyncio.gather(*(r.control_done.wait() for r in rooms))
    ready = [r for r in rooms if r.control_done.is_set()]
    if len(ready) < len(rooms):
        stats.errors["CONTROL_NOT_SEEN"] += len(rooms) - len(ready)
    return ready


def _frame_parts(opts: Options) -> tuple[bytes, bytes]:
    """The JSON text around the marker, UTF-8; the code is `marker + body`, exactly code_bytes long."""
    body = code_body(max(0, opts.code_bytes - _MARK_LEN))
    head = '{"type":"CODE_EDITOR_UPDATE","payload":{"problemAlias":' + orjson.dumps(opts.problem).decode() + ',"code":"'
    tail = orjson.dumps(body).decode()[1:] + "}}"  # the escaped body, its closing quote, then the braces
    return head.encode(), tail.encode()


async def echo_watchdog(senders: list[Sender], limit_s: float, all_done: asyncio.Event) -> None:
    """Saturation: count and skip echoes older than limit_s (a scan, instead of a timer per update)."""
    limit_ns = int(limit_s * _NS)
    period = min(0.25, limit_s / 4)
    while not all_done.is_set():
        now = _now_ns()
        for sender in senders:
            sender.check_echo(now, limit_ns)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(period):
                await all_done.wait()


async def loop_lag_probe(
    stop: float, lags: list[float], lag_at: list[tuple[int, float]] | None = None, period: float = 0.01
) -> None:
    """Record how late each 10 ms sleep wakes up, until `stop` (loop time); with lag_at, when too."""
    loop = asyncio.get_running_loop()
    while loop.time() < stop:
        t = loop.time()
        await asyncio.sleep(period)
        lag = loop.time() - t - period
        lags.append(lag)
        if lag_at is not None:
            lag_at.append((time.monotonic_ns(), lag))


def _lat(values: list[int]) -> dict[str, float]:
    values.sort()
    ms = 1e-6
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50) * ms,
        "p99_ms": percentile(values, 99) * ms,
        "max_ms": (values[-1] * ms) if values else math.nan,
    }


async def close_all(rooms: list[Room], concurrency: int = 200) -> None:
    """Close every socket gracefully (bounded), then drop any that is still open."""
    clients = [c for r in rooms for c in r.clients]
    for c in clients:
        c.closing = True
        if c.controller and c.room.sender is not None:
            c.room.sender.finish()

    async def close(i: int) -> None:
        await clients[i].close()

    with contextlib.suppress(TimeoutError):
        await _bounded(len(clients), concurrency, close, deadline_s=30 + len(clients) * 0.01)
    for c in clients:
        if c.transport is not None and not c.transport.is_disconnected:
            c.transport.disconnect(graceful=False)


def _sample(pid: int | None) -> ProcSample | None:
    try:
        return proc_sample(pid) if pid else None
    except OSError:
        return None


async def run(opts: Options) -> dict[str, Any]:
    """The whole run: setup, connect, control, measure (or idle), drain, close; returns the results."""
    stats = Stats()
    result: dict[str, Any] = {
        "label": opts.label,
        "mode": opts.mode,
        "rooms": opts.rooms,
        "clients": opts.rooms * 3,
        "code_bytes": opts.code_bytes,
        "rate": opts.rate,
        "idle": opts.idle,
    }
    loop = asyncio.get_running_loop()
    t_setup = loop.time()
    if opts.mode == "server":
        connector = aiohttp.TCPConnector(limit=0, force_close=False)
        timeout = aiohttp.ClientTimeout(total=None, connect=30, sock_connect=30)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            rooms = await rest_setup(http, opts, stats)
    else:
        rooms = floor_setup(opts, stats)
    result["setup_s"] = loop.time() - t_setup
    before = _sample(opts.server_pid)
    t_connect = loop.time()
    try:
        live = await connect_all(opts, rooms, stats)
        result["connect_s"] = loop.time() - t_connect
        result["rooms_connected"] = len(live)
        if opts.idle:
            result["idle"] = await _idle(opts, rooms, before)
        else:
            live = await take_control(live, stats)
            result["rooms_loaded"] = len(live)
            result.update(await _measure(opts, live, stats))
    finally:
        await close_all(rooms)
    result["errors"] = dict(stats.errors)
    result["closes"] = dict(stats.closes)
    result["connect_failures"] = dict(stats.connect_failures)
    result["echo_timeouts"] = stats.echo_timeouts
    return result


async def _idle(opts: Options, rooms: list[Room], before: ProcSample | None) -> dict[str, Any]:
    """Hold every socket open without traffic and read the server's RSS growth per connection."""
    connected = sum(1 for r in rooms for c in r.clients if c.in_room)
    await asyncio.sleep(opts.settle)  # let handshake garbage be collected and the writer tasks park
    after = _sample(opts.server_pid)
    await asyncio.sleep(max(0.0, opts.duration - opts.settle))
    held = _sample(opts.server_pid)
    out: dict[str, Any] = {"connections": connected}
    if before and after and held and connected:
        out.update(
            rss_before=before.rss,
            rss_after=after.rss,
            rss_held=held.rss,
            peak_rss=held.peak_rss,
            bytes_per_connection=(max(after.rss, held.rss) - before.rss) / connected,
        )
    return out


async def _measure(opts: Options, rooms: list[Room], stats: Stats) -> dict[str, Any]:
    """Start the controllers, measure the window after the warm-up, drain in-flight deliveries."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    stop = start + opts.warmup + opts.duration
    parts = _frame_parts(opts)
    all_done = asyncio.Event()
    left = len(rooms)

    def one_done() -> None:
        nonlocal left
        left -= 1
        if left <= 0:
            all_done.set()

    senders = []
    for r in rooms:
        r.sender = Sender(r.clients[0], opts, stats, parts, stop, one_done)
        senders.append(r.sender)
    if not senders:
        all_done.set()
    for s in senders:
        s.start(start)
    watchdog = asyncio.create_task(echo_watchdog(senders, opts.echo_timeout, all_done)) if opts.rate <= 0 else None
    lags: list[float] = []
    lag_at: list[tuple[int, float]] | None = [] if opts.timeline else None
    probe = asyncio.create_task(loop_lag_probe(stop, lags, lag_at))
    await asyncio.sleep(start + opts.warmup - loop.time())
    # Window bounds in monotonic ns: loop.time() is time.monotonic(), the clock of the stamps too.
    stats.w0 = time.monotonic_ns()
    stats.w1 = stats.w0 + int(opts.duration * _NS)
    if opts.timeline:
        stats.timeline = [0] * (int(opts.duration * 10) + 1)
    s0, c0, m0 = _sample(opts.server_pid), self_sample(), machine_busy_s()
    lags.clear()  # only the window's lag counts
    await asyncio.sleep(opts.duration)
    s1, c1, m1 = _sample(opts.server_pid), self_sample(), machine_busy_s()
    window = opts.duration
    # The senders end at `stop`, each after its last echo (or its echo timeout) at saturation.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(max(0.0, stop - loop.time()) + opts.echo_timeout + 10):
            await all_done.wait()
    for s in senders:
        s.finish()
    tasks = [t for t in (watchdog, probe) if t is not None]
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(2):
            await asyncio.gather(*tasks, return_exceptions=True)
    # Drain: wait for the window's deliveries, stopping early when nothing moves for a second.
    deadline = loop.time() + opts.drain
    last, idle_since = -1, loop.time()
    while loop.time() < deadline:
        got = len(stats.peer_lat) + len(stats.echo_lat)
        if got >= 3 * (stats.sent_window - stats.rejected_window):
            break
        if got != last:
            last, idle_since = got, loop.time()
        elif loop.time() - idle_since > 1.0:
            break
        await asyncio.sleep(0.05)
    delivered = len(stats.peer_lat) + len(stats.echo_lat)
    expected = 3 * (stats.sent_window - stats.rejected_window)
    out: dict[str, Any] = {
        "window_s": window,
        "window_start_monotonic_s": stats.w0 / _NS,
        "msgs_in_per_s": stats.sent_window / window,
        "applied_per_s": len(stats.echo_lat) / window,
        "frames_out_per_s": stats.frames_window / window,
        "sent_total": stats.sent_total,
        "rejected": stats.rejected_window,
        "undelivered": max(0, expected - delivered),
        "latency_peer": _lat(stats.peer_lat),
        "latency_echo": _lat(stats.echo_lat),
        "latency_all": _lat(stats.peer_lat + stats.echo_lat),
    }
    if stats.timeline is not None and lag_at is not None:
        client_lag = [0.0] * len(stats.timeline)
        for at, lag in lag_at:
            b = (at - stats.w0) // _BIN
            if 0 <= b < len(client_lag):
                client_lag[b] = max(client_lag[b], lag)
        out["timeline"] = [
            {"t": i / 10, "max_ms": v * 1e-6, "client_lag_ms": lag * 1e3}
            for i, (v, lag) in enumerate(zip(stats.timeline, client_lag, strict=True))
        ]
    lags.sort()
    send_lag = sorted(stats.send_lag)
    out["client"] = {
        "cpu_s": c1.cpu_s - c0.cpu_s,
        "cpu_util": (c1.cpu_s - c0.cpu_s) / window,
        "loop_lag_p99_ms": percentile(lags, 99) * 1e3,
        "loop_lag_max_ms": (lags[-1] * 1e3) if lags else math.nan,
        "send_lag_p99_ms": percentile(send_lag, 99) * 1e-6,
    }
    # Busy cores of the whole machine: what neither the target nor this client used was someone else's.
    out["machine_busy_cores"] = (m1 - m0) / window
    if s0 and s1:
        out["others_cores"] = max(0.0, (m1 - m0) - (s1.cpu_s - s0.cpu_s) - (c1.cpu_s - c0.cpu_s)) / window
        out["server"] = {
            "cpu_s": s1.cpu_s - s0.cpu_s,
            "cpu_util": (s1.cpu_s - s0.cpu_s) / window,
            "rss": s1.rss,
            "peak_rss": s1.peak_rss,
        }
    return out


def summary(result: dict[str, Any]) -> str:
    """A few human lines for stderr."""
    lines = [f"[{result['label']}] {result['mode']}: {result['rooms']} rooms, setup {result.get('setup_s', 0):.1f} s"]
    if "idle" in result and isinstance(result["idle"], dict):
        idle = result["idle"]
        per = idle.get("bytes_per_connection")
        lines.append(f"  idle: {idle.get('connections')} connections, {per / 1024:.1f} KiB each" if per else "  idle")
    if "msgs_in_per_s" in result:
        p, e = result["latency_peer"], result["latency_echo"]
        lines.append(
            f"  in {result['msgs_in_per_s']:.0f}/s, out {result['frames_out_per_s']:.0f} frames/s; "
            f"peer p50/p99/max {p['p50_ms']:.1f}/{p['p99_ms']:.1f}/{p['max_ms']:.1f} ms, "
            f"echo p99 {e['p99_ms']:.1f} ms"
        )
        srv, cli = result.get("server"), result["client"]
        if srv:
            lines.append(f"  server cpu {srv['cpu_util'] * 100:.0f}%, peak rss {srv['peak_rss'] / 2**20:.0f} MiB")
        lines.append(
            f"  client cpu {cli['cpu_util'] * 100:.0f}%, client loop lag max {cli['loop_lag_max_ms']:.1f} ms, "
            f"other processes {result.get('others_cores', 0) * 100:.0f}% of a core"
        )
    bad = {k: result[k] for k in ("errors", "closes", "connect_failures") if result.get(k)}
    if bad or result.get("echo_timeouts") or result.get("undelivered"):
        lines.append(
            f"  problems: {bad} timeouts={result.get('echo_timeouts')} undelivered={result.get('undelivered')}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> Options:
    """Options from the command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8000", help="base URL (must be on 127.0.0.1)")
    p.add_argument("--mode", choices=("server", "floor"), default="server", help="floor: no REST, made-up ids")
    p.add_argument("--rooms", type=int, default=50)
    p.add_argument("--code-bytes", type=int, default=2048)
    p.add_argument("--rate", type=float, default=0.0, help="updates/s per room; 0 = saturation (echo-paced)")
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds (idle: seconds held)")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of load before the window opens")
    p.add_argument("--idle", action="store_true", help="connect and hold, no traffic; measure RSS per connection")
    p.add_argument("--settle", type=float, default=3.0, help="idle: seconds after connecting before reading RSS")
    p.add_argument("--server-pid", type=int, default=None, help="process to read CPU and RSS of")
    p.add_argument("--connect-concurrency", type=int, default=64)
    p.add_argument("--setup-concurrency", type=int, default=16)
    p.add_argument("--problem", default="A", help="problem alias the controllers edit")
    p.add_argument("--contest-id", type=int, default=None, help="default: the first of GET /contests")
    p.add_argument("--echo-timeout", type=float, default=10.0, help="saturation: give up waiting for an echo")
    p.add_argument("--backoff", type=float, default=0.05, help="saturation: pause after a refused update")
    p.add_argument("--drain", type=float, default=5.0, help="seconds to wait for in-flight deliveries")
    p.add_argument("--max-seconds", type=float, default=600.0, help="hard cap on the whole run")
    p.add_argument("--json", dest="json_path", default=None, help="also write the result to this file")
    p.add_argument("--label", default="load")
    p.add_argument("--timeline", action="store_true", help="also report max latency and client lag per 100 ms")
    a = p.parse_args(argv)
    host = a.url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost"):
        p.error("--url must point at 127.0.0.1: this benchmark never sends traffic elsewhere")
    return Options(
        url=a.url.rstrip("/"),
        mode=a.mode,
        rooms=a.rooms,
        code_bytes=a.code_bytes,
        rate=a.rate,
        duration=a.duration,
        warmup=a.warmup,
        idle=a.idle,
        settle=a.settle,
        server_pid=a.server_pid,
        connect_concurrency=a.connect_concurrency,
        setup_concurrency=a.setup_concurrency,
        problem=a.problem,
        contest_id=a.contest_id,
        echo_timeout=a.echo_timeout,
        backoff=a.backoff,
        drain=a.drain,
        max_seconds=a.max_seconds,
        json_path=a.json_path,
        label=a.label,
        timeline=a.timeline,
    )


async def _main(opts: Options) -> dict[str, Any]:
    async with asyncio.timeout(opts.max_seconds):
        return await run(opts)


def main(argv: list[str] | None = None) -> int:
    """Run once, print the JSON result; exit 1 when the setup failed."""
    opts = parse_args(argv)
    raise_nofile(65536)  # three descriptors per room
    try:
        result = asyncio.run(_main(opts))
    except SetupError as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(result, default=str)
    if opts.json_path:
        with open(opts.json_path, "w") as f:
            f.write(text)
    print(summary(result), file=sys.stderr)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
