"""Browser fixtures: Debian's chromium driven by Playwright, a real server process, screenshots.

The browser is never downloaded: Playwright launches /usr/bin/chromium (apt-get install chromium). When it
is missing every browser test is skipped with a reason that `pytest -ra` prints in its summary.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from server.app import create_app
from server.config import Config

from ..support.realserver import ROOT, ServerProcess

if TYPE_CHECKING:  # playwright itself is imported by the browser fixture, which skips without it
    from playwright.async_api import Browser, Page

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
SKIP_NO_BROWSER = "browser tests skipped: Debian's chromium is not installed (apt-get install chromium)"


def chromium_path() -> str | None:
    """Debian's chromium binary, if installed ($CHROMIUM_PATH names another; a missing one skips the tests)."""
    chosen = os.environ.get("CHROMIUM_PATH")
    if chosen is not None:
        return chosen if Path(chosen).is_file() else None
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the screenshots of this run are (or why there are none)."""
    if any(p.name.endswith(".png") for p in SCREENSHOT_DIR.glob("*.png")) and chromium_path():
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOT_DIR}")


# One browser for the whole run (each test opens its own contexts, so nothing is shared between tests);
# every browser test module and async fixture runs on the session's event loop, which owns it
# (test modules say so with `pytestmark = ... pytest.mark.asyncio(loop_scope="session")`).
LOOP = "session"


@pytest_asyncio.fixture(scope="session", loop_scope=LOOP)
async def browser() -> AsyncIterator[object]:
    """A headless chromium (a fresh temporary profile); skips when none is installed."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(SKIP_NO_BROWSER)
    async_api = pytest.importorskip("playwright.async_api", reason="browser tests skipped: playwright is not installed")
    async with async_api.async_playwright() as playwright:
        # launch() starts from a fresh temporary profile every time; each user gets its own context in it
        browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest_asyncio.fixture(loop_scope=LOOP)
async def server(tmp_path: Path) -> AsyncIterator[ServerProcess]:
    """`python -m server` with the shipped contests on a temp database, as a real process (restartable)."""
    proc = ServerProcess(
        {
            "DB_PATH": str(tmp_path / "db" / "trainer.db"),
            "CONTESTS_DIR": str(ROOT / "data" / "contests"),
            "SNAPSHOT_INTERVAL": "0.5",
            "LOG_LEVEL": "WARNING",
            "JUDGE_WORKERS": "2",
            "AUTH_MODE": "token",
        },
        tmp_path / "server.log",
    )
    await proc.start()
    try:
        yield proc
    finally:
        if proc.proc is not None and proc.proc.returncode is None:
            await proc.stop()


@pytest_asyncio.fixture(loop_scope=LOOP)
async def app_url(config: Config) -> AsyncIterator[str]:
    """The app on an in-process test server (small contests), for tests that need no restart: its base URL."""
    server = TestServer(create_app(config))
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest_asyncio.fixture(loop_scope=LOOP)
async def client_page(browser: Browser, app_url: str) -> AsyncIterator[Page]:
    """A page of the web client for tests that import its modules (the sign-in screen is enough)."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{app_url}/")
    yield page
    await context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder this run's screenshots go to (emptied first)."""
    if SCREENSHOT_DIR.exists():
        for old in SCREENSHOT_DIR.glob("*.png"):
            old.unlink()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
