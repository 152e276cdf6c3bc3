"""Run the real server as a separate process on a free port, for restart and signal tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import aiohttp

ROOT = Path(__file__).resolve().parents[2]  # the repository
CONTESTS_SAMPLE = str(ROOT / "data" / "contests")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`python -m server` with its own environment; start, stop with a signal, start again."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        preexec_fn: Callable[[], None] | None = None,
        port: int | None = None,
    ) -> None:
        self.port = free_port() if port is None else port  # 0: the kernel chooses; read from "listening on"
        self.env = {**os.environ, **env, "APP_HOST": "127.0.0.1", "APP_PORT": str(self.port)}
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path = log_path  # a file, not a pipe: a chatty server must never block on a full pipe
        self.preexec_fn = preexec_fn  # e.g. a lower RLIMIT_NOFILE for the server alone

    @property
    def url(self) -> str:
        """Base HTTP URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self, limit_s: float = 20) -> None:
        """Start and wait until /health/ping-database answers."""
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "server",
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                preexec_fn=self.preexec_fn,
            )
        deadline = asyncio.get_running_loop().time() + limit_s
        if self.env["APP_PORT"] == "0":
            out = await self.wait_for_output(" listening on http://127.0.0.1:", limit_s)
            self.port = int(out.rsplit(" listening on http://127.0.0.1:", 1)[1].split()[0])
        async with aiohttp.ClientSession() as http:
            while True:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"server exited: {self.output()}")
                try:
                    async with http.get(f"{self.url}/health/ping-database") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError("server did not start")
                await asyncio.sleep(0.05)

    async def stop(self, sig: int = signal.SIGTERM, limit_s: float = 20) -> int:
        """Send a signal and wait for the exit code."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), limit_s)

    def send(self, sig: int) -> None:
        """Send a signal without waiting."""
        assert self.proc is not None
        self.proc.send_signal(sig)

    async def wait_for_output(self, text: str, limit_s: float = 20) -> str:
        """Wait until the log holds text (a line the server writes when something happened); returns the log."""
        deadline = asyncio.get_running_loop().time() + limit_s
        while text not in (out := self.output()):
            if self.proc is not None and self.proc.returncode is not None and text not in self.output():
                raise RuntimeError(f"the server exited before {text!r}:\n{out[-3000:]}")
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{text!r} never appeared in the server log:\n{out[-3000:]}")
            await asyncio.sleep(0.05)
        return out

    async def kill(self) -> None:
        """SIGKILL if still running (test clean-up)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class Finished:
    """A server process that ended on its own: its exit code, output and how long it ran."""

    returncode: int
    output: str
    seconds: float

    @property
    def last_line(self) -> str:
        """The last line it printed."""
        lines = self.output.strip().splitlines()
        return lines[-1] if lines else ""


def run_to_exit(env: dict[str, str], *args: str, limit_s: float = 30) -> Finished:
    """Run `python -m server [args]` with env until it exits by itself (start-up failures, commands)."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=limit_s,
    )
    return Finished(proc.returncode, proc.stdout, time.monotonic() - started)


@dataclass(frozen=True)
class Address:
    """A server known only by its base URL (an in-process test server): all Caller reads of a ServerProcess."""

    url: str


@dataclass(frozen=True)
class TeamSession:
    """What team_session made: the user's token and stored user, their team and its running session (or None)."""

    token: str
    user: dict[str, Any]
    team: dict[str, Any]
    session: dict[str, Any] | None

    @property
    def session_id(self) -> str:
        """The running training's id (made with a contest)."""
        assert self.session is not None, "made without a training"
        return str(self.session["id"])


class Caller:
    """JSON calls to a real server process that must succeed."""

    def __init__(self, http: aiohttp.ClientSession, server: ServerProcess) -> None:
        self.http, self.server = http, server
        self.token = self.user_id = ""

    async def __call__(self, method: str, path: str, **kw: Any) -> Any:
        """One call; asserts a 2xx answer and returns its JSON."""
        headers = {"Authorization": f"OAuth {self.token}"} if self.token else {}
        async with self.http.request(method, self.server.url + path, headers=headers, **kw) as resp:
            assert resp.status < 300, await resp.text()
            return await resp.json()

    async def register(self, login: str) -> None:
        """Register a user and call as them from now on."""
        reg = await self("POST", "/users", json={"login": login, "password": "secret-pw"})
        self.token, self.user_id = reg["token"], reg["user"]["id"]

    async def socket(self, ts: str) -> aiohttp.ClientWebSocketResponse:
        """A training-room socket."""
        params = {"training_session_id": ts, "user_id": self.user_id, "token": self.token}
        return await self.http.ws_connect(f"{self.server.url}/ws/training", params=params)

    @classmethod
    def at(cls, http: aiohttp.ClientSession, base_url: str) -> Caller:
        """A caller for a server known by its base URL alone (e.g. the browser tests' in-process app)."""
        return cls(http, cast(ServerProcess, Address(base_url.rstrip("/"))))

    async def team_session(self, login: str, contest_id: int | None = 1) -> TeamSession:
        """Register `login` (calling as them from now on), make their team and start its training on contest_id
        (None: no training); every step must answer 2xx."""
        await self.register(login)
        user = await self("GET", "/user/me")
        team = await self("POST", "/teams", json={"name": f"{login}'s team"})
        session = None
        if contest_id is not None:
            session = await self("POST", "/training-sessions", json={"team_id": team["id"], "contest_id": contest_id})
        return TeamSession(self.token, user, team, session)
