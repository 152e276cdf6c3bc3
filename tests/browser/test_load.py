"""The workspace loads fast on a cold cache and stays within its transfer budget; cached bundles are reused.

Measured with the Navigation and Resource Timing APIs against the real server process on localhost: from
navigation start to the app's own marks that the room state, the editor and the first statement are all on
screen.

The time budget holds the fastest of up to ATTEMPTS cold loads, each in a fresh browser context (an empty
cache): other test suites on these 2 cores and the server's and browser's first-run work can only add time to
a load, never take it away, so one load under the budget shows the page itself is within it, while a page that
really got slower fails every attempt. The transfer budget is checked on every load.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from ..support.realserver import ServerProcess
from .people import made_over_rest, signed_in_context

BUDGET_BYTES = 400 * 1024  # JS + CSS transferred (gzip), the limit
TARGET_MS = 1000  # the target on an idle machine; the README gives the measured figure
LOADED_MACHINE_MS = 3000  # what the assertion allows: other test suites share these 2 cores
ATTEMPTS = 3  # cold loads at most; the fastest one is held to LOADED_MACHINE_MS
pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(180)]

MARKED = """() => ["tt:room-state", "tt:editor", "tt:statement"].every((n) => performance.getEntriesByName(n).length)"""
READY = """() => {
  const marks = ["tt:room-state", "tt:editor", "tt:statement"].map((n) => performance.getEntriesByName(n)[0]);
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource").map((r) => ({
    name: new URL(r.name).pathname, transfer: r.transferSize, body: r.decodedBodySize, type: r.initiatorType,
  }));
  return {
    ready: marks.every(Boolean) ? Math.max(...marks.map((m) => m.startTime)) : null,
    domContentLoaded: nav.domContentLoadedEventEnd,
    html: nav.transferSize,
    resources,
  };
}"""


async def test_workspace_loads_within_budget_on_a_cold_cache(
    browser: Browser, server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    made = await made_over_rest(server.url, "speedy")
    session_id = made.session_id
    readies: list[float] = []
    for _ in range(ATTEMPTS):
        # signed in before the page's first script runs, as after a sign-in in an earlier visit
        context = await signed_in_context(browser, server.url, made)
        page = await context.new_page()
        await page.goto(f"{server.url}/#/training/{session_id}")
        await expect(page.get_by_test_id("statement")).to_contain_text("Sum")
        await expect(page.locator("[data-testid=workspace][data-synced=true]")).to_be_visible()
        await page.wait_for_function(MARKED)
        cold = await page.evaluate(READY)

        code = [r for r in cold["resources"] if r["name"].endswith((".js", ".css"))]
        transferred = sum(r["transfer"] for r in code)
        assert cold["ready"] is not None
        with capsys.disabled():
            print(
                f"\nworkspace cold load: ready at {cold['ready']:.0f} ms "
                f"(DOMContentLoaded {cold['domContentLoaded']:.0f} ms); "
                f"{len(code)} JS/CSS files, {transferred / 1024:.1f} KB transferred "
                f"({sum(r['body'] for r in code) / 1024:.1f} KB uncompressed)"
            )
        assert transferred < BUDGET_BYTES
        assert all(r["transfer"] > 0 for r in code), "a cold cache fetches every file"
        readies.append(cold["ready"])
        if cold["ready"] < LOADED_MACHINE_MS:
            break
        await context.close()
    assert min(readies) < LOADED_MACHINE_MS, f"target {TARGET_MS} ms; {len(readies)} cold loads: {readies}"

    # a second visit: hashed bundles come from the cache without a request, the rest revalidate with 304s
    await page.goto(f"{server.url}/web/favicon.svg")
    await page.goto(f"{server.url}/#/training/{session_id}")
    await expect(page.locator("[data-testid=workspace][data-synced=true]")).to_be_visible()
    await page.wait_for_function(MARKED)
    warm = await page.evaluate(READY)
    vendor = [r for r in warm["resources"] if "/web/vendor/" in r["name"]]
    assert vendor and all(r["transfer"] == 0 for r in vendor), vendor
    await context.close()
