"""A person using the web client in their own browser context: the steps the tests compose."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from ..support.realserver import Caller, TeamSession

PASSWORD = "secret-pw"
# a loaded 2-core machine judges and renders slowly: wait generously for what the page shows, never sleep
expect.set_options(timeout=30_000)


async def signed_in(context: BrowserContext, base_url: str, token: str, user: dict[str, Any]) -> None:
    """Leave a context as a sign-in in an earlier visit did: the client's localStorage and the server's cookie."""
    await context.add_init_script(
        f"localStorage.setItem('tt.token', {json.dumps(token)});"
        f"localStorage.setItem('tt.user', {json.dumps(json.dumps(user))});"
    )
    cookie = {"name": "access_token", "value": token, "url": base_url, "httpOnly": True, "sameSite": "Lax"}
    await context.add_cookies([cookie])  # type: ignore[list-item]


async def made_over_rest(base_url: str, login: str, contest_id: int | None = 1) -> TeamSession:
    """A user, their team and (unless contest_id is None) its running training, made over REST, every call checked."""
    async with aiohttp.ClientSession() as http:
        return await Caller.at(http, base_url).team_session(login, contest_id)


async def new_context(browser: Browser) -> BrowserContext:
    """A browser context as every test user gets one: English UI, a laptop-sized window."""
    return await browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})


async def signed_in_context(browser: Browser, base_url: str, made: TeamSession) -> BrowserContext:
    """A new context signed in as the user made over REST."""
    context = await new_context(browser)
    await signed_in(context, base_url, made.token, made.user)
    return context


class Person:
    """One user with one browser context (its own storage and cookies) and its open tabs."""

    def __init__(self, login: str, context: BrowserContext, page: Page, base_url: str) -> None:
        self.login = login
        self.context = context
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        self.watch(page)

    @classmethod
    async def open(cls, browser: Browser, login: str, base_url: str) -> Person:
        """A new context (English UI, a laptop-sized window) with one tab on the sign-in page."""
        context = await new_context(browser)
        page = await context.new_page()
        person = cls(login, context, page, base_url)
        await page.goto(f"{base_url}/")
        return person

    def watch(self, page: Page) -> None:
        """Collect uncaught page errors: a test fails on any."""
        page.on("pageerror", lambda error: self.errors.append(f"{self.login}: {error}"))

    async def new_tab(self) -> Page:
        """Another tab of the same user (same storage, same cookie)."""
        page = await self.context.new_page()
        self.watch(page)
        return page

    async def shot(self, folder: Path, name: str, page: Page | None = None) -> None:
        """Save a screenshot of the tab."""
        await (page or self.page).screenshot(path=str(folder / f"{name}.png"))

    async def sign_up(self) -> None:
        """Register through the sign-up form; lands on the teams screen."""
        page = self.page
        await page.get_by_test_id("to-signup").click()
        form = page.get_by_test_id("signup-form")
        await form.locator("input[name=login]").fill(self.login)
        await form.locator("input[name=password]").fill(PASSWORD)
        await form.locator("input[name=first_name]").fill(self.login.capitalize())
        await form.locator("button[type=submit]").click()
        await expect(page.get_by_test_id("create-team")).to_be_visible()

    async def token(self) -> str:
        """The token the client keeps in localStorage."""
        return str(await self.page.evaluate("localStorage.getItem('tt.token')"))

    def editor(self, page: Page | None = None) -> Locator:
        """The CodeMirror content element."""
        return (page or self.page).locator(".cm-content")

    async def editor_text(self, page: Page | None = None) -> str:
        """The editor's text, line by line (the test texts are short enough to be fully rendered)."""
        lines = await (page or self.page).locator(".cm-content .cm-line").all_inner_texts()
        return "\n".join(line.replace("\u200b", "") for line in lines)

    async def replace_code(self, text: str, page: Page | None = None) -> None:
        """Select all and insert a text as one input (like a paste: no auto-closed brackets)."""
        page = page or self.page
        await self.editor(page).click()
        await page.keyboard.press("Control+a")
        await page.keyboard.insert_text(text)

    def problem(self, alias: str, page: Page | None = None) -> Locator:
        """A problem's entry in the list."""
        return (page or self.page).locator(f"[data-testid=problem][data-alias='{alias}']")

    def connection(self, page: Page | None = None) -> Locator:
        """The connection badge."""
        return (page or self.page).get_by_test_id("connection")

    async def synced(self, page: Page | None = None) -> None:
        """Wait until the workspace drew a ROOM_STATE and the socket is open."""
        page = page or self.page
        await expect(page.locator("[data-testid=workspace][data-synced=true]")).to_be_visible()
        await expect(self.connection(page)).to_have_attribute("data-state", "open")
