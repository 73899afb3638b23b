"""Playwright fixtures shared by every browser test.

- ``browser``: one headless Debian Chromium for the whole run (never a downloaded one).
- ``context`` / ``page``: a fresh phone-sized context per test (390×844, DPR 2, touch,
  zh-CN), whose ``base_url`` is pytest-django's ``live_server``, so
  ``page.goto("/p/1/")`` works. Uncaught JavaScript errors on the page fail the test.
- ``media_served``: serves MEDIA_ROOT from the live server (the project only does that
  in DEBUG), so uploaded product images load.
- ``screenshot(page, name)``: saves a PNG under ``test-artifacts/``.

Browser tests also need ``@pytest.mark.browser`` and ``@pytest.mark.django_db(transaction=True)``
(the live server runs in another thread with its own connection).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.conftest import CHROMIUM

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse
# ORM calls from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url, **PHONE)
    yield context
    context.close()


def _watched(page: Page) -> tuple[Page, list[str]]:
    """The page with a 10 s default timeout, and the list its uncaught JavaScript errors go to."""
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page, errors = _watched(context.new_page())
    yield page
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def desktop(browser: Browser, live_server) -> Iterator[Page]:
    """A staff member's screen (1366 × 900, zh-CN, downloads allowed), for the admin pages."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900},
                                  locale="zh-CN", accept_downloads=True)
    page, errors = _watched(context.new_page())
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def media_served(settings) -> None:
    settings.ROOT_URLCONF = "tests.browser.urls"


@pytest.fixture
def screenshot(artifacts_dir: Path) -> Callable[[Page, str], Path]:
    def take(page: Page, name: str, *, full_page: bool = False) -> Path:
        path = artifacts_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 = no sideways scroll)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
