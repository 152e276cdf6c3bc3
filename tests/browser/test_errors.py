"""The server's ERROR replies reach the user as short messages, and a refused room says why."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from .people import made_over_rest, signed_in_context

CLICK_80_TIMES = """() => {
  const button = document.querySelector("[data-testid=take-control]");
  for (let i = 0; i < 80; i++) button.click();
}"""
pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(120)]


async def test_a_server_error_reply_is_shown_as_a_toast(browser: Browser, app_url: str) -> None:
    made = await made_over_rest(app_url, "frank")
    context = await signed_in_context(browser, app_url, made)
    page = await context.new_page()
    await page.goto(f"{app_url}/#/training/{made.session_id}")
    await expect(page.locator("[data-testid=workspace][data-synced=true]")).to_be_visible()
    # 80 clicks before any echo redraws the page: past the server's burst of 60, the rest are RATE_LIMITED
    await page.evaluate(CLICK_80_TIMES)
    await expect(page.get_by_test_id("toast").filter(has_text="Too many actions at once")).to_be_visible()
    await expect(page.get_by_test_id("controller")).to_have_text("You are in control")
    await expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "open")  # the socket stays
    await context.close()


async def test_a_room_of_another_team_is_refused_with_its_reason(browser: Browser, app_url: str) -> None:
    theirs = await made_over_rest(app_url, "grace")
    context = await signed_in_context(browser, app_url, await made_over_rest(app_url, "heidi"))
    page = await context.new_page()
    await page.goto(f"{app_url}/#/training/{theirs.session_id}")
    await expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "stopped")
    await expect(page.get_by_test_id("connection")).to_have_attribute(
        "title", "Disconnected: not a member of this session's team"
    )
    await expect(page.get_by_test_id("load-error")).to_be_visible()  # the REST 403, said on the page
    await context.close()
