"""Leaving the workspace leaves nothing running: no clock re-anchoring every minute after the screen is gone.

The page's clock is Playwright's fake one (it still flows on its own), so minutes of timers run in a moment;
the workspace re-anchors its countdown with GET .../participation once a minute while it is open.
"""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, Page, Route, expect

from .people import made_over_rest, signed_in_context

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(120)]
MINUTES_3 = 3 * 60_000


def participation_requests(page: Page) -> list[str]:
    """Every GET .../participation the page makes from now on."""
    seen: list[str] = []
    page.on("request", lambda request: "/participation" in request.url and seen.append(request.url))
    return seen


async def test_leaving_while_the_workspace_loads_stops_its_clock(browser: Browser, app_url: str) -> None:
    made = await made_over_rest(app_url, "ivan")
    context = await signed_in_context(browser, app_url, made)
    await context.clock.install()
    page = await context.new_page()
    held: asyncio.Future[Route] = asyncio.get_running_loop().create_future()
    # the workspace's first load waits for this answer until the test lets it through
    await page.route("**/compilers", lambda route: held.set_result(route))
    seen = participation_requests(page)
    await page.goto(f"{app_url}/#/training/{made.session_id}")
    route = await asyncio.wait_for(held, 30)
    await page.evaluate("location.hash = '#/teams'")  # leave while it loads
    await expect(page.get_by_test_id("create-team")).to_be_visible()
    async with page.expect_response("**/compilers") as answered:
        await route.continue_()
    await (await answered.value).finished()
    await page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 500))")  # the answer reaches start()
    await page.clock.run_for(MINUTES_3)
    assert seen == [], "the workspace that was left still re-anchors its clock"
    await context.close()


async def test_a_session_that_cannot_be_loaded_keeps_no_clock(browser: Browser, app_url: str) -> None:
    theirs = await made_over_rest(app_url, "judy")
    context = await signed_in_context(browser, app_url, await made_over_rest(app_url, "karl"))
    await context.clock.install()
    page = await context.new_page()
    seen = participation_requests(page)
    toasts = page.get_by_test_id("toast")
    await page.goto(f"{app_url}/#/training/{theirs.session_id}")
    await expect(page.get_by_test_id("load-error")).to_be_visible()
    await expect(toasts).to_have_count(1)  # the 403, once
    await page.clock.run_for(MINUTES_3)
    assert seen == []  # each would be another 403 toast
    await context.close()
