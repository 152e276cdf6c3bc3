"""Sign up, sign in, sign out, the access_token cookie, and the language: from the browser, as a user does it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from .people import PASSWORD, Person

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(120)]


async def cookie(person: Person) -> str | None:
    """The access_token cookie of the person's browser context."""
    for c in await person.context.cookies():
        if c["name"] == "access_token":
            return str(c["value"])
    return None


async def test_sign_up_out_and_in_with_the_cookie_following(browser: Browser, app_url: str) -> None:
    carol = await Person.open(browser, "carol", app_url)
    await carol.sign_up()
    assert await cookie(carol) == await carol.token()  # set by the server, sent with the sockets' handshakes
    (stored,) = [c for c in await carol.context.cookies() if c["name"] == "access_token"]
    assert stored["httpOnly"] and stored["sameSite"] == "Lax" and stored["path"] == "/"
    assert await carol.page.evaluate("document.cookie") == ""  # no script on the page can read it
    second = await carol.new_tab()  # another tab of the same user follows a sign-out
    await second.goto(f"{app_url}/#/teams")
    await expect(second.get_by_test_id("create-team")).to_be_visible()

    await carol.page.get_by_test_id("sign-out").click()
    await expect(carol.page.get_by_test_id("signin-form")).to_be_visible()
    await expect(second.get_by_test_id("signin-form")).to_be_visible()
    assert await cookie(carol) is None  # cleared by the server, which revoked the token

    form = carol.page.get_by_test_id("signin-form")
    await form.locator("input[name=login]").fill("carol")
    await form.locator("input[name=password]").fill("not-the-password")
    await form.locator("button[type=submit]").click()
    await expect(carol.page.get_by_test_id("auth-error")).to_have_text("Wrong login or password.")
    await form.locator("input[name=password]").fill(PASSWORD)
    await form.locator("button[type=submit]").click()
    await expect(carol.page.get_by_test_id("create-team")).to_be_visible()
    assert await cookie(carol) == await carol.token()
    assert carol.errors == []
    await carol.context.close()


async def test_a_taken_login_is_a_clear_message(browser: Browser, app_url: str) -> None:
    first = await Person.open(browser, "dave", app_url)
    await first.sign_up()
    again = await Person.open(browser, "dave", app_url)
    await again.page.get_by_test_id("to-signup").click()
    form = again.page.get_by_test_id("signup-form")
    await form.locator("input[name=login]").fill("dave")
    await form.locator("input[name=password]").fill(PASSWORD)
    await form.locator("button[type=submit]").click()
    await expect(again.page.get_by_test_id("auth-error")).to_have_text("This login is taken.")
    await first.context.close()
    await again.context.close()


async def test_language_follows_the_browser_and_the_switch_is_kept(
    browser: Browser, app_url: str, screenshots: Path
) -> None:
    context = await browser.new_context(locale="ru-RU", viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    await page.goto(f"{app_url}/")
    form = page.get_by_test_id("signin-form")
    await expect(form.locator("button[type=submit]")).to_have_text("Войти")
    await page.screenshot(path=str(screenshots / "00-sign-in-ru.png"))
    await page.get_by_test_id("lang-en").click()
    await expect(form.locator("button[type=submit]")).to_have_text("Sign in")
    await page.reload()
    await expect(page.get_by_test_id("signin-form").locator("button[type=submit]")).to_have_text("Sign in")
    assert await page.evaluate("document.documentElement.lang") == "en"
    await context.close()


async def test_create_a_team_with_a_member_and_leave_it(browser: Browser, app_url: str) -> None:
    ivan = await Person.open(browser, "ivan", app_url)
    await ivan.sign_up()
    judy = await Person.open(browser, "judy", app_url)
    await judy.sign_up()
    page = ivan.page
    await page.get_by_test_id("team-name").fill("Pair")
    await page.get_by_test_id("team-logins").fill("judy, kate")
    await expect(page.get_by_test_id("no-teams")).to_be_visible()
    kate = await Person.open(browser, "kate", app_url)
    await kate.sign_up()
    await page.get_by_test_id("create-team").locator("button[type=submit]").click()
    await expect(page.get_by_test_id("team").locator(".members")).to_have_text("Members: ivan")
    await expect(page.get_by_test_id("invited")).to_have_text("Invited, not answered yet: judy, kate")
    await judy.page.reload()
    await judy.page.get_by_test_id("accept-invitation").click()
    await expect(judy.page.get_by_test_id("team").locator(".members")).to_have_text("Members: ivan, judy")
    await kate.page.reload()
    await kate.page.get_by_test_id("decline-invitation").click()
    await expect(kate.page.get_by_test_id("invitations")).to_have_count(0)
    await expect(kate.page.get_by_test_id("no-teams")).to_be_visible()
    await page.reload()
    await expect(page.get_by_test_id("team").locator(".members")).to_have_text("Members: ivan, judy")
    await expect(page.get_by_test_id("invited")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())  # "Leave the team Pair?"
    await page.get_by_test_id("leave-team").click()
    await expect(page.get_by_test_id("no-teams")).to_be_visible()
    await judy.page.reload()
    await expect(judy.page.get_by_test_id("team").locator(".members")).to_have_text("Members: judy")
    for person in (ivan, judy, kate):
        assert person.errors == []
        await person.context.close()


async def test_a_password_change_and_signing_out_everywhere(browser: Browser, app_url: str) -> None:
    lena = await Person.open(browser, "lena", app_url)
    await lena.sign_up()
    laptop = await Person.open(browser, "lena", app_url)  # the same user in another browser
    form = laptop.page.get_by_test_id("signin-form")
    await form.locator("input[name=login]").fill("lena")
    await form.locator("input[name=password]").fill(PASSWORD)
    await form.locator("button[type=submit]").click()
    await expect(laptop.page.get_by_test_id("create-team")).to_be_visible()

    change = lena.page.get_by_test_id("password-form")
    await change.locator("input[name=current_password]").fill(PASSWORD)
    await change.locator("input[name=new_password]").fill("a-new-secret")
    await change.locator("button[type=submit]").click()
    await expect(lena.page.get_by_test_id("toast")).to_contain_text("Password changed")
    await laptop.page.reload()  # its token was revoked: the first call signs it out
    await expect(laptop.page.get_by_test_id("signin-form")).to_be_visible()
    await form.locator("input[name=login]").fill("lena")
    await form.locator("input[name=password]").fill("a-new-secret")
    await form.locator("button[type=submit]").click()
    await expect(laptop.page.get_by_test_id("create-team")).to_be_visible()

    laptop.page.once("dialog", lambda dialog: dialog.accept())  # "Sign out on every device?"
    await laptop.page.get_by_test_id("sign-out-everywhere").click()
    await expect(laptop.page.get_by_test_id("signin-form")).to_be_visible()
    await lena.page.reload()
    await expect(lena.page.get_by_test_id("signin-form")).to_be_visible()
    assert await cookie(laptop) is None  # cleared by the server with the tokens
    await lena.context.close()
    await laptop.context.close()
