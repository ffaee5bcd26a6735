"""Playwright driving Debian's Chromium against Django's live server.

Never `playwright install` (it downloads a browser, which cannot work here): the tests use
/usr/bin/chromium, which `make test` installs with apt-get when it is missing.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--lang=fr-FR",
]
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}
PASSWORD = "correct-horse-battery"
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", Path(__file__).parent.parent / "screenshots"))


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # beside it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """Log a membership's user in through the login page, as a person would."""

    def log_in(membership, password: str = PASSWORD):
        page.goto("/connexion/")
        page.get_by_label("Nom d’utilisateur").fill(membership.user.username)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_url(lambda url: "/connexion/" not in url)
        return page

    return log_in


@pytest.fixture
def screenshot(page):
    """Save the page as PNG in screenshots/, at desktop and tablet widths, for people to look at."""

    def shoot(name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        for label, size in (("desktop", DESKTOP), ("tablet", TABLET)):
            page.set_viewport_size(size)
            page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
        page.set_viewport_size(DESKTOP)

    return shoot
