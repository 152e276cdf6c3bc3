"""The contest's time runs out with the workspace open: the countdown (on the server's clock, whatever the
browser's says) reaches zero, CONTEST_FINISHED opens the dialog, and finishing from it returns to the lobby.
A tab that loads (or reloads) after the time ran out, and so only gets ROOM_STATE's status FINISHED, shows the
same dialog."""

from __future__ import annotations

import re
import time
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, expect

from ..support.packages import write_contest
from .people import made_over_rest, signed_in_context

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(120)]
SPRINT_S = 20  # long enough to load the workspace on a loaded 2-core machine, short enough to wait for
DASH_S = 5  # a contest only to be over: whether the first tab saw it end live or not, the later ones load it over


@pytest.fixture
def contests_dir(tmp_path: Path) -> Path:
    """Two contests of a few seconds (overrides the suite's contests for this module)."""
    root = tmp_path / "contests"
    root.mkdir()
    write_contest(root, 9, "Sprint", SPRINT_S, "A")
    write_contest(root, 10, "Dash", DASH_S, "A")
    return root


async def test_the_end_of_the_contest_opens_a_dialog_and_finishing_returns_to_the_lobby(
    browser: Browser, app_url: str, screenshots: Path
) -> None:
    made = await made_over_rest(app_url, "erin", contest_id=None)
    context = await signed_in_context(browser, app_url, made)
    # the browser's clock is three hours ahead of the server's: the countdown must not care
    await context.clock.set_system_time(time.time() + 3 * 3600)
    page = await context.new_page()
    await page.goto(f"{app_url}/#/lobby/{made.team['id']}")
    await page.locator("[data-testid=contest][data-contest-id='9']").check()
    await page.get_by_test_id("start-training").click()
    await expect(page.locator("[data-testid=workspace][data-synced=true]")).to_be_visible()
    assert await page.evaluate("Date.now()") > (time.time() + 2 * 3600) * 1000  # the skew is really there
    await expect(page.get_by_test_id("timer")).to_have_text(re.compile(r"^0:([01]\d|20)$"))  # ≤ SPRINT_S
    await expect(page.get_by_test_id("contest-over")).to_be_visible(timeout=(SPRINT_S + 30) * 1000)
    await expect(page.get_by_test_id("timer")).to_have_text("Time is up")
    await page.screenshot(path=str(screenshots / "10-contest-over.png"))
    await page.get_by_test_id("finish-after-contest").click()
    await expect(page.get_by_test_id("lobby")).to_be_visible()
    await expect(page.get_by_test_id("running-session")).to_have_count(0)
    await context.close()


async def test_a_tab_loaded_after_the_time_ran_out_shows_the_same_dialog(browser: Browser, app_url: str) -> None:
    made = await made_over_rest(app_url, "olga", contest_id=10)
    context = await signed_in_context(browser, app_url, made)
    first = await context.new_page()
    await first.goto(f"{app_url}/#/training/{made.session_id}")
    await expect(first.get_by_test_id("contest-over")).to_be_visible(timeout=(DASH_S + 30) * 1000)
    late = await context.new_page()  # opened after the end: its ROOM_STATE says FINISHED, no CONTEST_FINISHED comes
    await late.goto(f"{app_url}/#/training/{made.session_id}")
    await first.reload()
    for page in (first, late):
        await expect(page.locator("[data-testid=workspace][data-synced=true]")).to_be_visible()
        await expect(page.get_by_test_id("contest-over")).to_be_visible()
        await expect(page.get_by_test_id("timer")).to_have_text("Time is up")
        await expect(page.get_by_test_id("finish")).to_be_visible()
    await late.get_by_test_id("finish-after-contest").click()  # finishing from a late tab takes both to the lobby
    for page in (first, late):
        await expect(page.get_by_test_id("lobby")).to_be_visible()
        await expect(page.get_by_test_id("running-session")).to_have_count(0)
    await context.close()


async def test_a_training_a_teammate_finished_early_says_so(browser: Browser, app_url: str) -> None:
    """Finished by a member before its time ran out (this tab was away): not "time is up" but "finished"."""
    made = await made_over_rest(app_url, "pavel", contest_id=9)
    async with aiohttp.ClientSession() as http:
        resp = await http.post(
            f"{app_url}/training-sessions/{made.session_id}/complete", headers={"Authorization": f"Bearer {made.token}"}
        )
        assert resp.status == 200, await resp.text()
    context = await signed_in_context(browser, app_url, made)
    page = await context.new_page()
    await page.goto(f"{app_url}/#/training/{made.session_id}")
    await expect(page.locator("[data-testid=workspace][data-synced=true]")).to_be_visible()
    dialog = page.get_by_test_id("contest-over")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("The training was finished")
    await expect(page.get_by_test_id("timer")).to_have_text("Finished")
    await context.close()
