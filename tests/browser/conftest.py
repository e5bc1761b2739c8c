"""Chromium through Playwright, against the app served by pytest-django's live server.

One browser for the whole session and a fresh context (cookies, storage) per
test keep the journeys independent and the suite fast. Without Chromium the
tests skip with a message saying how to install it, except in CI (``CI`` set),
where a missing browser is a failure, never a silent skip.
"""

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _missing(what: str, how: str):
    message = f"{what} is missing: {how}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so the browser tests fail instead of skipping)", pytrace=False)
    pytest.skip(message)


expect.set_options(timeout=10_000)


@contextlib.contextmanager
def launched_chromium():
    """Chromium under Playwright, for as long as the block lasts.

    Playwright's sync API keeps an event loop running in this thread, and
    Django refuses ORM calls from a thread with a running loop. The test code
    only waits on the browser, so the guard is lifted while the browser lives
    and restored when it closes, before the rest of the suite runs. Browser
    tests in another package (the moderation journeys, say) define their own
    ``browser`` fixture with this, of module or package scope.
    """
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"Chromium ({CHROMIUM})", "install it with `apt-get install chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python", "install it with `pip install -r requirements.txt`")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests of this package (they run together)."""
    with launched_chromium() as chromium:
        yield chromium


def _no_static_handler(application):
    return application


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, with static files served as in production.

    Its default static handler serves source files by their plain names, so the
    cache-busted names in the pages would 404; without it, WhiteNoise serves
    the collected files (``make setup`` runs collectstatic).
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost", start=False)
    server.thread.static_handler = _no_static_handler
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(live_server, debate, settings):
    """The live server with the Clearview debate, and forms accepted at human speed.

    Transactional tests do not roll the database cache table back, so counters
    and cached results of an earlier test are cleared here.
    """
    settings.FORM_MIN_SECONDS = 0
    settings.VOTE_MIN_SECONDS = 0
    cache.clear()
    return live_server.url


class Dialogs(list):
    """Every alert/confirm/prompt a page tried to open (there must be none)."""


@pytest.fixture
def new_page(browser, site):
    """Factory: a page in a fresh browser context (own cookies), closed after the test.

    Every page records the dialogs it tries to open in ``page.dialogs`` and
    the uncaught script errors in ``page.errors``; any of either fails the
    test when it ends, whatever the journey checked itself.
    """
    contexts = []
    pages = []

    def make(**context_options):
        context_options.setdefault("base_url", site)
        context = browser.new_context(**context_options)
        # Generous: the machine may be busy with other test runs.
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = Dialogs()
        page.errors = []

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        pages.append(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert [p.dialogs for p in pages if p.dialogs] == [], "a page opened a dialog"
    assert [p.errors for p in pages if p.errors] == [], "a page threw a script error"


@pytest.fixture
def page(new_page):
    return new_page()


def sign_in(page, client, site_url: str):
    """Give a browser page the session of a logged-in test client (a moderator, say),
    so that a journey starts where a person would be after logging in."""
    page.context.add_cookies(
        [{"name": name, "value": morsel.value, "url": site_url} for name, morsel in client.cookies.items()]
    )
    return page


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing("axe-core", "run `npm ci --no-audit --no-fund` (or `make test`) in the project directory")
    return AXE.read_text()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
