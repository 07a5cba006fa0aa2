"""A person's path through bin/serve-lambda in headless Chromium: the admin, its CSS, log in,
the dashboard, log out. Chromium is Debian's (`apt-get install chromium`); Playwright drives
it and downloads no browser of its own."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.helpers import UV, bake, find_python, free_port, project_env, run, unavailable

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = bake(tmp_path_factory.mktemp("browser"))
    env = project_env(find_python("3.13"), DJANGO_SUPERUSER_PASSWORD=PASSWORD)
    run(["bin/setup"], project, env)
    run(
        [
            UV,
            "run",
            "manage.py",
            "createsuperuser",
            "--noinput",
            "--username",
            "admin",
            "--email",
            "admin@example.com",
        ],
        project,
        env,
    )
    port = free_port()
    process = subprocess.Popen(
        [UV, "run", "bin/serve-lambda", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert banner.startswith("Serving through config.web_function.handler"), banner
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("no chromium on PATH (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


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
