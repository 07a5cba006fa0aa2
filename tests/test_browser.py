"""A person's path in headless Chromium through the web function as Lambda runs it: the image
`sam build` built, under the Runtime Interface Emulator, behind a Function URL on localhost
(tests/function_url.py), on a real Postgres database. The admin, its CSS, log in, the
dashboard, the users' list and a user's form with their JavaScript, log out, and the home page:
any violation of the project's Content-Security-Policy, or any uncaught script error, fails the
test. Chromium is Debian's (`apt-get install chromium`); Playwright drives it and downloads no
browser of its own."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, expect, sync_playwright

from tests.function_url import function_url
from tests.helpers import unavailable
from tests.lambda_container import LambdaImage, web_function_with_admin

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
ADMIN_HEADER_BLUE = "rgb(65, 118, 144)"  # django/contrib/admin/static/admin/css/base.css
# Runs in each page before its own scripts (Playwright's init scripts are exempt from CSP).
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) =>
    console.error(`CSP violation: ${event.violatedDirective} refused ${event.blockedURI}`));"""


@pytest.fixture(scope="module")
def server(lambda_image: LambdaImage) -> Iterator[str]:
    """The web function with an admin account, its Function URL on 127.0.0.1 (the host it
    allows)."""
    with (
        web_function_with_admin(lambda_image, "127.0.0.1", PASSWORD) as web,
        function_url(web) as address,
    ):
        yield address


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("no chromium on PATH (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        yield page
        browser.close()


@pytest.fixture(autouse=True)
def no_csp_violations_or_script_errors(page: Page) -> Iterator[None]:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.text.startswith("CSP violation"):
            errors.append(message.text)

    def on_page_error(error: Error) -> None:
        errors.append(f"uncaught: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    yield
    page.remove_listener("console", on_console)
    page.remove_listener("pageerror", on_page_error)
    assert errors == []


def test_admin_in_a_browser(server: str, page: Page, tmp_path: Path) -> None:
    page.goto(f"{server}/admin/")

    expect(page).to_have_url(f"{server}/admin/login/?next=/admin/")
    expect(page.locator("#header")).to_have_css("background-color", ADMIN_HEADER_BLUE)
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    expect(page).to_have_url(f"{server}/admin/")
    expect(page.locator("#site-name")).to_have_text("My Django App")
    expect(page.locator("#content h1")).to_have_text("Site administration")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["sessionid"]["secure"] is True
    assert cookies["sessionid"]["httpOnly"] is True
    page.screenshot(path=tmp_path / "dashboard.png")

    page.click("a[href='/admin/users/user/']")
    expect(page.locator("#result_list")).to_contain_text("admin")
    page.click("#action-toggle")  # actions.js: selects every row
    expect(page.locator("input.action-select").first).to_be_checked()
    page.click("#result_list a:text-is('admin')")
    # SelectFilter2.js builds the two-list picker for the groups and permissions.
    expect(page.locator("#id_groups_from")).to_be_visible()

    page.click("#logout-form button")

    expect(page.locator("#content h1")).to_have_text("Logged out")
    page.goto(f"{server}/admin/")
    expect(page).to_have_url(f"{server}/admin/login/?next=/admin/")


def test_home_page_in_a_browser(server: str, page: Page) -> None:
    page.goto(f"{server}/")

    expect(page.locator("h1")).to_have_text("My Django App")
    expect(page.locator("h1")).to_have_css("color", "rgb(11, 110, 79)")  # site.css
    logo_width = page.eval_on_selector("main img", "image => image.naturalWidth")
    assert logo_width == 64, "the PNG arrived whole through the base64 round trip"
