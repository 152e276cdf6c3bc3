"""A whole training in the browser: two users, two browser contexts, the real server as a process.

Sign up, team, lobby, start, control, typing seen by the teammate, compiler, assignment, a correct and a
wrong submission of the shipped contest with their verdicts, comments, live standings, a reload, a server
restart with reconnect (and text typed while offline kept), a second tab of one user, a duplicate
submission refused, finish, both back in the lobby.
"""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, expect

from ..support.realserver import ROOT, ServerProcess
from .people import Person

SOLUTIONS = ROOT / "data" / "solutions" / "classic"
pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(420)]


async def code_on_server(server: ServerProcess, token: str, session_id: str, alias: str) -> str:
    """GET /training-sessions/{ts}/code/{alias}, as the REST API sees the shared text."""
    async with aiohttp.ClientSession() as http:
        url = f"{server.url}/training-sessions/{session_id}/code/{alias}"
        async with http.get(url, headers={"Authorization": f"OAuth {token}"}) as resp:
            assert resp.status == 200, await resp.text()
            return str((await resp.json())["code"])


async def test_two_users_hold_a_whole_training(browser: Browser, server: ServerProcess, screenshots: Path) -> None:
    alice = await Person.open(browser, "alice", server.url)
    bob = await Person.open(browser, "bob", server.url)
    a, b = alice.page, bob.page

    # --- sign up, team ---------------------------------------------------------------------------------
    await expect(a.get_by_test_id("signin-form")).to_be_visible()
    await alice.shot(screenshots, "01-sign-in")
    await alice.sign_up()
    await bob.sign_up()
    await a.get_by_test_id("team-name").fill("Rockets")
    await a.get_by_test_id("create-team").locator("button[type=submit]").click()
    team = a.get_by_test_id("team")
    await expect(team).to_have_count(1)
    await team.get_by_test_id("member-login").fill("bob")
    await team.get_by_test_id("add-member").click()
    await expect(team.get_by_test_id("invited")).to_contain_text("bob")  # invited: bob joins by accepting
    await b.reload()
    invitation = b.get_by_test_id("invitation")
    await expect(invitation).to_contain_text("alice invites you to Rockets")
    await bob.shot(screenshots, "02-invitation")
    await invitation.get_by_test_id("accept-invitation").click()
    await expect(b.get_by_test_id("team")).to_contain_text("Rockets")
    await expect(b.get_by_test_id("invitations")).to_have_count(0)
    await a.reload()
    await expect(a.get_by_test_id("team").locator(".members")).to_have_text("Members: alice, bob")
    await alice.shot(screenshots, "02-teams")

    # --- lobby: presence and the shared contest choice -----------------------------------------------------
    await a.get_by_test_id("open-lobby").click()
    await b.get_by_test_id("open-lobby").click()
    for page in (a, b):
        await expect(page.locator("[data-testid=member][data-online=true]")).to_have_count(2)
    await a.locator("[data-testid=contest][data-contest-id='1']").check()
    await expect(b.locator("[data-testid=contest][data-contest-id='1']")).to_be_checked()
    await alice.shot(screenshots, "03-lobby")

    # --- start: both move to the workspace on TRAINING_STARTED --------------------------------------------
    await b.get_by_test_id("start-training").click()
    await alice.synced()
    await bob.synced()
    session_id = a.url.rsplit("/", 1)[1]
    assert b.url.endswith(session_id)
    await expect(a.get_by_test_id("contest-name")).to_have_text("Classic Training Set")
    await expect(a.get_by_test_id("statement")).to_contain_text("Sum")
    await expect(a.get_by_test_id("timer")).to_have_text(re.compile(r"^[45]:\d\d:\d\d$"))

    # --- control, typing seen by the teammate ----------------------------------------------------------------
    await expect(b.get_by_test_id("editor")).to_have_attribute("data-readonly", "true")
    await a.get_by_test_id("take-control").click()
    await expect(a.get_by_test_id("controller")).to_have_text("You are in control")
    await expect(b.get_by_test_id("controller")).to_have_text("alice is in control")
    await alice.editor().click()
    await a.keyboard.type("// alice types at 20 keys a second", delay=50)
    await expect(bob.editor()).to_contain_text("// alice types at 20 keys a second")

    # --- compiler, assignment, a correct submission (Ctrl+Enter) ------------------------------------------
    await a.get_by_test_id("compiler").select_option("gcc_cpp20")
    await expect(b.get_by_test_id("compiler")).to_have_value("gcc_cpp20")
    await a.get_by_test_id("assign").select_option(label="bob")
    await expect(bob.problem("A").get_by_test_id("assignee")).to_contain_text("bob")
    solution = (SOLUTIONS / "A.cpp").read_text()
    await alice.replace_code(solution)
    await expect(bob.editor()).to_contain_text("digits.insert")
    await alice.shot(screenshots, "04-workspace")
    await a.keyboard.press("Control+Enter")
    for page in (a, b):
        await page.get_by_test_id("tab-submissions").click()
        await expect(page.get_by_test_id("verdict").first).to_have_attribute("data-verdict", "OK")
        await expect(page.locator("[data-testid=problem][data-alias=A]")).to_have_attribute("data-status", "PASSED")
    assert await code_on_server(server, await alice.token(), session_id, "A") == solution
    await a.get_by_test_id("submit").click()  # the same source again
    await expect(a.get_by_test_id("toast").filter(has_text="This solution was already submitted")).to_be_visible()
    await expect(a.get_by_test_id("submission")).to_have_count(1)
    await a.get_by_test_id("submission").first.click()
    await expect(a.get_by_test_id("checker-log")).to_be_visible()
    await alice.shot(screenshots, "05-submission")
    await a.keyboard.press("Escape")

    # --- standings open on alice's side while bob submits a wrong answer --------------------------------------
    await a.get_by_test_id("open-standings").click()
    row = a.locator(f"[data-testid=standings-row][data-session='{session_id}']")
    await expect(row.get_by_test_id("standings-solved")).to_have_text("1")
    await bob.problem("B").click()
    await b.get_by_test_id("take-control").click()
    await expect(b.get_by_test_id("controller")).to_have_text("You are in control")
    await expect(a.get_by_test_id("controller")).to_have_text("bob is in control")
    await bob.replace_code("print(0)\n")
    await b.get_by_test_id("submit").click()
    await expect(b.get_by_test_id("verdict").first).to_have_attribute("data-verdict", "WrongAnswer")
    await expect(row.get_by_test_id("standings-cell").nth(1)).to_have_text("−1")
    await alice.shot(screenshots, "06-standings")
    await a.keyboard.press("Escape")
    await alice.problem("B").click()
    await expect(alice.editor()).to_contain_text("print(0)")
    await expect(a.get_by_test_id("verdict").first).to_have_attribute("data-verdict", "WrongAnswer")
    await expect(alice.problem("B")).to_have_attribute("data-status", "FAILED")

    # --- comments: add, edit own, delete a teammate's ---------------------------------------------------------
    await b.get_by_test_id("tab-comments").click()
    await a.get_by_test_id("tab-comments").click()
    await b.get_by_test_id("comment-input").fill("B needs a stack, not a counter")
    await b.get_by_test_id("add-comment").click()
    await expect(a.get_by_test_id("comment-text")).to_have_text("B needs a stack, not a counter")
    await b.get_by_test_id("edit-comment").click()
    await b.get_by_test_id("comment-edit-text").fill("B needs a stack")
    await b.get_by_test_id("save-comment").click()
    await expect(a.get_by_test_id("comment-text")).to_have_text("B needs a stack")
    await a.get_by_test_id("comment-input").fill("on it")
    await a.get_by_test_id("add-comment").click()
    await expect(b.get_by_test_id("comment")).to_have_count(2)
    await expect(a.get_by_test_id("comment").nth(0).get_by_test_id("edit-comment")).to_have_count(0)  # not mine
    await alice.shot(screenshots, "07-comments")
    await a.get_by_test_id("comment").nth(0).get_by_test_id("delete-comment").click()  # a teammate's: allowed
    await expect(b.get_by_test_id("comment")).to_have_count(1)
    await expect(b.get_by_test_id("comment-text")).to_have_text("on it")

    # --- reload mid-session: the same state comes back ----------------------------------------------------
    await b.reload()
    await bob.synced()
    await expect(bob.problem("B")).to_have_class(re.compile(r"\bactive\b"))
    await expect(bob.editor()).to_contain_text("print(0)")
    await expect(b.get_by_test_id("controller")).to_have_text("You are in control")
    await expect(bob.problem("A").get_by_test_id("assignee")).to_contain_text("bob")
    await expect(bob.problem("A")).to_have_attribute("data-status", "PASSED")
    await b.get_by_test_id("tab-comments").click()
    await expect(b.get_by_test_id("comment-text")).to_have_text("on it")

    # --- a second tab of alice: both stay connected and see each other's typing ------------------------------
    a2 = await alice.new_tab()
    await a2.goto(a.url)
    await alice.synced(a2)
    await expect(alice.connection()).to_have_attribute("data-state", "open")  # the first tab was not pushed out
    for page in (a, a2, b):
        await page.locator("[data-testid=problem][data-alias=C]").click()
    await a2.get_by_test_id("take-control").click()
    await expect(a.get_by_test_id("controller")).to_have_text("You are in control")  # same user, both tabs
    await expect(b.get_by_test_id("controller")).to_have_text("alice is in control")
    await alice.editor(a2).click()
    await a2.keyboard.type("tab two")
    await expect(alice.editor(a)).to_contain_text("tab two")
    await expect(bob.editor()).to_contain_text("tab two")
    await alice.editor(a).click()
    await a.keyboard.press("Control+End")
    await a.keyboard.type(" and tab one")
    await expect(alice.editor(a2)).to_contain_text("tab two and tab one")
    await expect(bob.editor()).to_contain_text("tab two and tab one")
    await a2.close()
    await expect(b.locator("[data-testid=member][data-online=true]")).to_have_count(2)  # alice is still here
    await b.get_by_test_id("take-control").click()
    await expect(b.get_by_test_id("controller")).to_have_text("You are in control")
    for person in (alice, bob):
        await person.problem("B").click()
        await expect(person.editor()).to_contain_text("print(0)")

    # --- server restart: both reconnect; what bob typed offline reaches alice and the server -------------
    await server.stop()
    for person in (alice, bob):
        await expect(person.connection()).to_have_attribute("data-state", "reconnecting")
    await bob.shot(screenshots, "08-reconnecting")
    await bob.editor().click()
    await b.keyboard.press("Control+End")
    await b.keyboard.type("# typed while the server was down")
    await server.start()
    await alice.synced()
    await bob.synced()
    await expect(alice.editor()).to_contain_text("# typed while the server was down")
    assert (
        await code_on_server(server, await bob.token(), session_id, "B")
        == "print(0)\n# typed while the server was down"
    )
    await expect(bob.problem("A")).to_have_attribute("data-status", "PASSED")

    # --- finish: both back in the lobby -----------------------------------------------------------------------
    await a.get_by_test_id("finish").click()
    await a.get_by_test_id("confirm-finish").click()
    for page in (a, b):
        await expect(page.get_by_test_id("lobby")).to_be_visible()
    await expect(b.get_by_test_id("running-session")).to_have_count(0)
    await bob.shot(screenshots, "09-lobby-after-finish")
    assert alice.errors + bob.errors == []
