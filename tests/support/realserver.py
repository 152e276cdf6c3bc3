"""Run the real server as a separate process on a free port, for restart and signal tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]  # the repository


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`python -m server` with its own environment; start, stop with a signal, start again."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.env = {**os.environ, **env, "APP_HOST": "127.0.0.1", "APP_PORT": str(self.port)}
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path = log_path  # a file, not a pipe: a chatty server must never block on a full pipe

    @property
    def url(self) -> str:
        """Base HTTP URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self, limit_s: float = 20) -> None:
        """Start and wait until /health/ping-database answers."""
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "server", cwd=ROOT, env=self.env, stdout=log, stderr=asyncio.subprocess.STDOUT
            )
        deadline = asyncio.get_running_loop().time() + limit_s
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

    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
