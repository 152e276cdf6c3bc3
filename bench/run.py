"""`make bench`: the WebSocket load benchmark of the real server against the floor relay, in one go.

Scenarios (choose with --scenarios, default all):
  a  saturation: R rooms x 3 clients, each controller echo-paced (one update in flight per room);
     by default 1000 rooms: the server admits ~30 updates/s per client, so its limiter caps at 30,000/s,
     well above what either target does on one core
  b  steady load: R rooms x 3 clients, controllers at 5 updates/s of 2 KB; p99 delivery (target < 20 ms)
  c  idle memory: C open connections, RSS growth per connection (target < 25 KB)
  d  snapshot loop lag: 10,000 changed rooms of 20 KB, max event-loop lag (target < 50 ms), in-process
  e  start-up with 10,000 stored rooms: spawn to /health/ping-database (target < 2 s)

a, b and c run against a fresh `python -m server` (temporary DB_PATH, CONTESTS_DIR=data/contests,
AUTH_MODE=token, MAX_CONNECTIONS_PER_GROUP=3, LOG_LEVEL=WARNING, MAX_TEAMS_PER_USER=10000) and a
fresh bench/floor.py, each on a free 127.0.0.1 port; the load is bench/load.py in its own process.
Every command line is printed. The table at the end is Markdown (paste it under "Benchmarks" in README.md).

    python bench/run.py                      # everything, full sizes (a few minutes)
    python bench/run.py --quick              # small sizes, under a minute
    python bench/run.py --scenarios a --profile bench-out   # also a py-spy profile of the server
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import ROOT, fmt, free_port, machine_busy_s, raise_nofile
from profile_summary import report

BENCH = Path(__file__).resolve().parent
PY = sys.executable
SERVER_ENV = {
    "CONTESTS_DIR": "data/contests",
    "AUTH_MODE": "token",
    "MAX_CONNECTIONS_PER_GROUP": "3",
    "LOG_LEVEL": "WARNING",
    "MAX_TEAMS_PER_USER": "10000",  # three users share every room's team
}


@dataclass(slots=True)
class Target:
    """A running server or floor process."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        """Base HTTP URL."""
        return f"http://127.0.0.1:{self.port}"


def say(text: str) -> None:
    """Progress and command lines, on stderr so stdout stays the table."""
    print(text, file=sys.stderr, flush=True)


def _wait_ready(target: Target, limit_s: float = 60.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if target.proc.poll() is not None:
            raise RuntimeError(f"{target.name} exited with {target.proc.returncode}:\n{_tail(target.log)}")
        try:
            with urllib.request.urlopen(f"{target.url}/health/ping-database", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{target.name} did not answer within {limit_s} s:\n{_tail(target.log)}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def started(name: str, workdir: Path) -> Iterator[Target]:
    """Start the server (`name == "server"`) or the floor on a free port; SIGTERM it afterwards."""
    port = free_port()
    log = workdir / f"{name}-{port}.log"
    if name == "server":
        db = str(workdir / f"{port}.db")
        env_extra = {**SERVER_ENV, "APP_HOST": "127.0.0.1", "APP_PORT": str(port), "DB_PATH": db}
        cmd = [PY, "-m", "server"]
        say(f"$ cd {ROOT} && {' '.join(f'{k}={v}' for k, v in env_extra.items())} {shlex.join(cmd)}")
        env = {**os.environ, **env_extra}
    else:
        cmd = [PY, str(BENCH / "floor.py"), "--port", str(port)]
        say(f"$ {shlex.join(cmd)}")
        env = dict(os.environ)
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    target = Target(name, proc, port, log)
    try:
        _wait_ready(target)
        yield target
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def wait_quiet(max_wait: float, threshold: float = 0.2) -> None:
    """Wait, at most max_wait seconds, until the machine was busy less than `threshold` cores for a second."""
    deadline = time.monotonic() + max_wait
    while max_wait > 0:
        before = machine_busy_s()
        time.sleep(1.0)
        busy = machine_busy_s() - before
        if busy < threshold:
            return
        if time.monotonic() >= deadline:
            say(f"machine still busy ({busy:.2f} cores) after {max_wait:.0f} s; running anyway")
            return
        say(f"machine busy ({busy:.2f} cores used by others); waiting for a quiet moment")


def _run_json(cmd: list[str], timeout: float, json_path: Path) -> dict[str, Any]:
    """Run a benchmark script that writes its JSON result to json_path; its stderr summary passes through."""
    say(f"$ {shlex.join(cmd)}")
    subprocess.run(cmd, cwd=ROOT, check=True, timeout=timeout, stdout=subprocess.DEVNULL)
    result: dict[str, Any] = json.loads(json_path.read_text())
    return result


def run_load(target: Target, workdir: Path, label: str, args: list[str], max_s: float) -> dict[str, Any]:
    """bench/load.py against a target, reading the target process's CPU and memory."""
    out = workdir / f"{label}-{target.name}-{time.monotonic_ns()}.json"
    mode = "server" if target.name == "server" else "floor"
    cmd = [PY, str(BENCH / "load.py"), "--url", target.url, "--mode", mode, "--server-pid", str(target.proc.pid)]
    cmd += [*args, "--label", f"{label}/{target.name}", "--max-seconds", str(max_s), "--json", str(out)]
    return _run_json(cmd, max_s + 60, out)


def need_fds(a: argparse.Namespace, sockets: int) -> None:
    """Stop with the reason when the open-file limit cannot hold a scenario's sockets.

    The generator and the target each hold one descriptor per client socket; the slack covers
    the REST pool, the database, logs and the listening socket. Better a clear stop than a run
    whose missing connections show up as connect failures.
    """
    need = sockets + 512
    if a.nofile < need:
        raise SystemExit(
            f"open-file limit is {a.nofile}, this scenario needs {need}: raise the hard limit (ulimit -Hn)"
        )


def flat(r: dict[str, Any]) -> dict[str, float]:
    """The numbers of one load run that the table shows."""
    srv = r.get("server", {})
    problems = sum(r.get("errors", {}).values()) + sum(r.get("closes", {}).values())
    problems += sum(r.get("connect_failures", {}).values()) + r.get("echo_timeouts", 0)
    out = {"problems": float(problems)}
    if "msgs_in_per_s" in r:
        out.update(
            msgs_in=r["msgs_in_per_s"],
            applied=r["applied_per_s"],
            frames_out=r["frames_out_per_s"],
            peer_p50=r["latency_peer"]["p50_ms"],
            peer_p99=r["latency_peer"]["p99_ms"],
            peer_max=r["latency_peer"]["max_ms"],
            echo_p50=r["latency_echo"]["p50_ms"],
            echo_p99=r["latency_echo"]["p99_ms"],
            server_cpu=srv.get("cpu_util", math.nan),
            # CPU per applied update: what a busy shared machine distorts least (throughput it distorts most).
            us_per_update=srv["cpu_s"] / max(1.0, r["applied_per_s"] * r["window_s"]) * 1e6 if srv else math.nan,
            peak_rss_mb=srv.get("peak_rss", 0) / 2**20 if srv else math.nan,
            client_cpu=r["client"]["cpu_util"],
            others=r.get("others_cores", math.nan),
            undelivered=float(r.get("undelivered", 0)),
            rejected=float(r.get("rejected", 0)),
        )
    idle = r.get("idle")
    if isinstance(idle, dict) and "bytes_per_connection" in idle:
        out.update(
            kb_per_conn=idle["bytes_per_connection"] / 1024,
            connections=float(idle["connections"]),
            rss_before_mb=idle["rss_before"] / 2**20,
            rss_after_mb=max(idle["rss_after"], idle["rss_held"]) / 2**20,
        )
    return out


def least_disturbed(runs: list[dict[str, float]]) -> dict[str, float]:
    """Of repeated runs, the one in which other processes took the least CPU.

    On a shared machine another job's burst lands on one run and not the next; the quietest run
    is the best estimate of what the target itself does (the table shows how quiet it was).
    """
    if not runs:
        return {}

    def others(run: dict[str, float]) -> float:
        value = run.get("others", math.nan)
        return math.inf if math.isnan(value) else value

    return min(runs, key=others)


Row = tuple[str, str, str, str, str, str]


class Table:
    """Markdown rows: scenario, metric, server, floor, server/floor, target."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def add(
        self,
        scenario: str,
        metric: str,
        server: float | None,
        floor: float | None = None,
        target: str = "",
        digits: int = 1,
        ratio: bool = True,
    ) -> None:
        """One row; the ratio is server / floor when both are there."""
        r = None
        if ratio and server is not None and floor and not math.isnan(floor) and not math.isnan(server):
            r = server / floor
        self.rows.append((scenario, metric, fmt(server, digits), fmt(floor, digits), fmt(r, 2), target))

    def add_text(self, scenario: str, metric: str, server: str, floor: str = "-", target: str = "") -> None:
        """A row of preformatted cells (no ratio)."""
        self.rows.append((scenario, metric, server, floor, "", target))

    def markdown(self) -> str:
        """The table text."""
        head = ("scenario", "metric", "server", "floor", "server / floor", "target")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        last = None
        for row in self.rows:
            shown = ("" if row[0] == last else row[0], *row[1:])
            last = row[0]
            lines.append("| " + " | ".join(shown) + " |")
        return "\n".join(lines)


def _both(
    a: argparse.Namespace, workdir: Path, label: str, repeat: int, make_args: Callable[[str], list[str]], max_s: float
) -> dict[str, dict[str, float]]:
    """Run the same load against each target `repeat` times, alternating; keep each one's quietest run."""
    targets: list[str] = a.targets
    runs: dict[str, list[dict[str, float]]] = {t: [] for t in targets}
    raw: dict[str, list[dict[str, Any]]] = {t: [] for t in targets}
    for _ in range(repeat):
        for name in targets:
            wait_quiet(a.quiet_wait)
            with started(name, workdir) as target:
                result = run_load(target, workdir, label, make_args(name), max_s)
            raw[name].append(result)
            runs[name].append(flat(result))
    (workdir / f"{label}.json").write_text(json.dumps(raw, default=str))
    return {t: least_disturbed(r) for t, r in runs.items()}


def scenario_a(a: argparse.Namespace, workdir: Path, table: Table) -> None:
    """Saturation throughput and latency, server against floor."""
    say(f"\n== (a) saturation: {a.sat_rooms} rooms x 3 clients, {a.sat_code_bytes} B updates, echo-paced ==")
    need_fds(a, 3 * a.sat_rooms)
    args = ["--rooms", str(a.sat_rooms), "--rate", "0", "--code-bytes", str(a.sat_code_bytes)]
    args += ["--duration", str(a.sat_duration), "--warmup", str(a.warmup)]
    m = _both(a, workdir, "a-saturation", a.repeat, lambda _: args, 300 + a.sat_duration)
    s, f = m.get("server", {}), m.get("floor", {})
    name = f"(a) saturation, {a.sat_rooms} rooms × 3, {a.sat_code_bytes // 1024} KB, 1 in flight/room"
    table.add(name, "updates applied /s", s.get("applied"), f.get("applied"), "≥ 0.8 (both CPU-bound)", digits=0)
    table.add(name, "frames out /s", s.get("frames_out"), f.get("frames_out"), digits=0)
    table.add(name, "delivery p50 ms (peers)", s.get("peer_p50"), f.get("peer_p50"))
    table.add(name, "delivery p99 ms (peers)", s.get("peer_p99"), f.get("peer_p99"))
    table.add(name, "delivery max ms (peers)", s.get("peer_max"), f.get("peer_max"))
    table.add(name, "echo p99 ms", s.get("echo_p99"), f.get("echo_p99"))
    table.add(name, "target CPU µs per update", s.get("us_per_update"), f.get("us_per_update"))
    table.add(name, "target CPU (cores)", s.get("server_cpu"), f.get("server_cpu"), digits=2)
    table.add(name, "load generator CPU (cores)", s.get("client_cpu"), f.get("client_cpu"), digits=2)
    table.add(name, "other processes' CPU (cores)", s.get("others"), f.get("others"), digits=2, ratio=False)
    table.add(name, "errors + closes", s.get("problems"), f.get("problems"), digits=0, ratio=False)
    table.add_text(name, "limited by", _bound(s), _bound(f))
    if a.profile:
        profile_saturation(a, workdir, Path(a.profile), args)


def _bound(m: dict[str, float]) -> str:
    """Which process ran out of CPU first in a saturation run (a core is all one Python process gets)."""
    if not m:
        return "-"
    busy = {"target": m.get("server_cpu", 0.0), "generator": m.get("client_cpu", 0.0)}
    name, cores = max(busy.items(), key=lambda kv: kv[1])
    return f"{name} ({cores:.2f} cores)" if cores >= 0.9 else "neither (machine shared?)"


def profile_saturation(a: argparse.Namespace, workdir: Path, out_dir: Path, args: list[str]) -> None:
    """One more saturation run of the server under py-spy; writes raw stacks and a top-functions summary."""
    spy = Path(PY).with_name("py-spy")
    if not spy.exists():
        say("py-spy is not installed in this environment (pip install py-spy); no profile")
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / "server-saturation.txt"
    with started("server", workdir) as target:
        cmd = [str(spy), "record", "-p", str(target.proc.pid), "-r", "200", "--format", "raw", "-o", str(raw)]
        say(f"$ {shlex.join(cmd)}   # stopped with SIGINT when the load ends")
        spy_proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            run_load(target, workdir, "a-profile", args, 300 + a.sat_duration)
        finally:
            spy_proc.send_signal(signal.SIGINT)
            try:
                spy_proc.wait(60)
            except subprocess.TimeoutExpired:
                spy_proc.kill()
                spy_proc.wait(10)
    if raw.exists():
        summary = report(raw.read_text(), top=30, root=str(ROOT) + "/")
        (out_dir / "server-saturation-top.txt").write_text(summary)
        say(f"profile: {raw} and {out_dir / 'server-saturation-top.txt'}")


def scenario_b(a: argparse.Namespace, workdir: Path, table: Table) -> None:
    """Fixed-rate load: delivery latency at a realistic rate."""
    say(f"\n== (b) {a.rate_rooms} rooms x 3 clients, {a.rate} updates/s of {a.rate_code_bytes} B ==")
    need_fds(a, 3 * a.rate_rooms)
    args = ["--rooms", str(a.rate_rooms), "--rate", str(a.rate), "--code-bytes", str(a.rate_code_bytes)]
    args += ["--duration", str(a.rate_duration), "--warmup", str(a.warmup)]
    m = _both(a, workdir, "b-rate", a.repeat, lambda _: args, 300 + a.rate_duration)
    s, f = m.get("server", {}), m.get("floor", {})
    name = f"(b) {a.rate_rooms} rooms × 3, {a.rate:g} updates/s of {a.rate_code_bytes // 1024} KB"
    table.add(name, "updates in /s", s.get("msgs_in"), f.get("msgs_in"), digits=0)
    table.add(name, "frames out /s", s.get("frames_out"), f.get("frames_out"), digits=0)
    table.add(name, "delivery p50 ms (peers)", s.get("peer_p50"), f.get("peer_p50"))
    table.add(name, "delivery p99 ms (peers)", s.get("peer_p99"), f.get("peer_p99"), target="< 20 ms")
    table.add(name, "delivery max ms (peers)", s.get("peer_max"), f.get("peer_max"))
    table.add(name, "echo p99 ms", s.get("echo_p99"), f.get("echo_p99"))
    table.add(name, "target CPU µs per update", s.get("us_per_update"), f.get("us_per_update"))
    table.add(name, "target CPU (cores)", s.get("server_cpu"), f.get("server_cpu"), digits=2)
    table.add(name, "target peak RSS MiB", s.get("peak_rss_mb"), f.get("peak_rss_mb"), digits=0)
    table.add(name, "load generator CPU (cores)", s.get("client_cpu"), f.get("client_cpu"), digits=2)
    table.add(name, "other processes' CPU (cores)", s.get("others"), f.get("others"), digits=2, ratio=False)
    table.add(
        name,
        "errors + closes + undelivered",
        (s.get("problems", 0) + s.get("undelivered", 0)) if s else None,
        (f.get("problems", 0) + f.get("undelivered", 0)) if f else None,
        digits=0,
        ratio=False,
    )


def scenario_c(a: argparse.Namespace, workdir: Path, table: Table) -> None:
    """Idle memory per open connection."""
    rooms = math.ceil(a.idle_connections / 3)
    say(f"\n== (c) idle memory: {rooms * 3} connections in {rooms} rooms, held {a.idle_hold} s ==")
    need_fds(a, 3 * rooms)
    args = ["--rooms", str(rooms), "--idle", "--duration", str(a.idle_hold), "--settle", str(min(a.idle_hold, 3.0))]
    m = _both(a, workdir, "c-idle", 1, lambda _: args, 600)
    s, f = m.get("server", {}), m.get("floor", {})
    name = f"(c) idle, {rooms * 3} connections ({rooms} rooms)"
    table.add(name, "RSS growth per connection KB", s.get("kb_per_conn"), f.get("kb_per_conn"), target="< 25 KB")
    table.add_text(
        name,
        "RSS before → after connecting, MiB",
        f"{fmt(s.get('rss_before_mb'), 0)} → {fmt(s.get('rss_after_mb'), 0)}",
        f"{fmt(f.get('rss_before_mb'), 0)} → {fmt(f.get('rss_after_mb'), 0)}",
    )
    table.add_text(
        name,
        "connections held / errors",
        f"{fmt(s.get('connections'), 0)} / {fmt(s.get('problems'), 0)}",
        f"{fmt(f.get('connections'), 0)} / {fmt(f.get('problems'), 0)}",
    )


def scenario_d(a: argparse.Namespace, workdir: Path, table: Table) -> None:
    """Loop lag while snapshotting many changed rooms (in-process, the real app and Snapshotter)."""
    say(f"\n== (d) snapshot loop lag: {a.snap_rooms} rooms of {a.snap_code_bytes} B ==")
    out = workdir / "d-snapshot.json"
    wait_quiet(a.quiet_wait)
    cmd = [PY, str(BENCH / "snapshot_lag.py"), "--rooms", str(a.snap_rooms), "--code-bytes", str(a.snap_code_bytes)]
    r = _run_json([*cmd, "--json", str(out)], 600, out)
    name = f"(d) snapshot of {a.snap_rooms:,} changed rooms × {a.snap_code_bytes // 1024} KB"
    for key, what in (("insert", "first save (insert)"), ("upsert", "next save (upsert)")):
        table.add(name, f"max loop lag ms, {what}", r[key]["lag_max_ms"], target="< 50 ms", ratio=False)
        table.add(name, f"save duration s, {what}", r[key]["save_s"], digits=2, ratio=False)
    table.add(name, "final snapshot at shutdown s", r["shutdown_s"], digits=2, ratio=False)


def scenario_e(a: argparse.Namespace, workdir: Path, table: Table) -> None:
    """Start-up time with many stored rooms."""
    say(f"\n== (e) start-up with {a.start_rooms} stored rooms of {a.start_code_bytes} B ==")
    out = workdir / "e-startup.json"
    wait_quiet(a.quiet_wait)
    cmd = [PY, str(BENCH / "startup.py"), "--rooms", str(a.start_rooms), "--code-bytes", str(a.start_code_bytes)]
    r = _run_json([*cmd, "--runs", str(a.start_runs), "--json", str(out)], 600, out)
    name = f"(e) start-up, {a.start_rooms:,} stored rooms ({r['filled']['db_bytes'] / 2**20:.0f} MiB DB)"
    table.add(name, "spawn → ping-database s, median", r["filled"]["median_s"], digits=2, target="< 2 s", ratio=False)
    table.add(name, "same, worst of runs", r["filled"]["max_s"], digits=2, ratio=False)
    table.add(name, "same on an empty DB, median", r["empty"]["median_s"], digits=2, ratio=False)


SCENARIOS = {"a": scenario_a, "b": scenario_b, "c": scenario_c, "d": scenario_d, "e": scenario_e}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Flags; --quick shrinks every size for a smoke run."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", default="abcde", help="letters of the scenarios to run, e.g. 'ab'")
    p.add_argument("--targets", default="server,floor", help="server, floor or both (a, b, c)")
    p.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    p.add_argument(
        "--repeat", type=int, default=1, help="runs of a and b per target, alternating; the quietest is shown"
    )
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=0.0,
        help="before each a/b/c run, wait up to this many seconds for other processes to go quiet",
    )
    p.add_argument("--warmup", type=float, default=3.0)
    # Above throughput / 30: the server admits ~30 updates/s per client (docs/protocol.md), so fewer rooms would
    # let its rate limiter, not its CPU, set the figure.
    p.add_argument("--sat-rooms", type=int, default=1000)
    p.add_argument("--sat-code-bytes", type=int, default=2048)
    p.add_argument("--sat-duration", type=float, default=10.0)
    p.add_argument("--rate-rooms", type=int, default=1000)
    p.add_argument("--rate", type=float, default=5.0)
    p.add_argument("--rate-code-bytes", type=int, default=2048)
    p.add_argument("--rate-duration", type=float, default=20.0)
    p.add_argument("--idle-connections", type=int, default=5000)
    p.add_argument("--idle-hold", type=float, default=8.0)
    p.add_argument("--snap-rooms", type=int, default=10_000)
    p.add_argument("--snap-code-bytes", type=int, default=20 * 1024)
    p.add_argument("--start-rooms", type=int, default=10_000)
    p.add_argument("--start-code-bytes", type=int, default=20 * 1024)
    p.add_argument("--start-runs", type=int, default=3)
    p.add_argument("--profile", default=None, help="folder for a py-spy profile of the server under (a)")
    p.add_argument("--out", default=None, help="folder for logs and JSON results (default: a temporary one)")
    a = p.parse_args(argv)
    a.targets = [t for t in a.targets.split(",") if t in ("server", "floor")]
    if a.quick:
        a.sat_rooms, a.sat_duration, a.rate_rooms, a.rate_duration = 450, 4.0, 200, 4.0
        a.idle_connections, a.idle_hold, a.snap_rooms, a.start_rooms, a.start_runs = 300, 3.0, 1000, 1000, 1
        a.warmup = 1.0
    return a


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios and print the table."""
    a = parse_args(argv)
    a.nofile = raise_nofile(65536)  # inherited by the server, the floor and the generator
    given = a.out is not None
    workdir = Path(a.out) if given else Path(tempfile.mkdtemp(prefix="bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    say(f"bench: results and logs in {workdir}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    table = Table()
    t0 = time.monotonic()
    for letter in a.scenarios:
        if letter in SCENARIOS:
            SCENARIOS[letter](a, workdir, table)
    say(f"\nbench took {time.monotonic() - t0:.0f} s; load average now {os.getloadavg()[0]:.1f}\n")
    print(table.markdown())
    (workdir / "table.md").write_text(table.markdown() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
