"""The queue in Chromium: a moderator logs in with a TOTP code and works the queue
with the keyboard shortcuts (j/k to move, a approve, r reject, s spam, b ban, x select)."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from forum.debates.models import Ban, Comment
from tests.browser import conftest as browser_fixtures
from tests.moderation.conftest import PASSWORD, make_user, totp_code

# The browser journeys' fixtures (live server, fresh pages), with a Chromium of this module's own.
live_server = browser_fixtures.live_server
site = browser_fixtures.site
new_page = browser_fixtures.new_page
artifacts = browser_fixtures.artifacts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    """Chromium for this module only, so the guard it lifts is back before any other test runs."""
    if not (Path(browser_fixtures.CHROMIUM).exists() or shutil.which(browser_fixtures.CHROMIUM)):
        browser_fixtures._missing("Chromium", "install it with `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
    # from such a thread unless told otherwise, for as long as the browser lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=browser_fixtures.CHROMIUM, args=browser_fixtures.CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def logged_in(new_page):
    user = make_user(moderator=True, with_2fa=True)
    page = new_page()
    page.goto("/moderation/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(totp_code(user.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    return page


def test_a_moderator_works_the_queue_with_the_keyboard(logged_in, make_comment, artifacts):
    first = make_comment("First held comment")
    second = make_comment("Second held comment")
    third = make_comment("Third held comment")
    page = logged_in
    page.goto("/moderation/")
    page.screenshot(path=str(artifacts / "moderation-queue.png"), full_page=True)
    expect(page.locator(f"#item-{first.pk}")).to_have_class("queue-item card is-current")
    page.keyboard.press("j")
    expect(page.locator(f"#item-{second.pk}")).to_be_focused()
    page.keyboard.press("k")
    page.keyboard.press("a")  # approve the first: the page comes back on the next one
    expect(page.get_by_text(f"Approved comment #{first.pk}.")).to_be_visible()
    expect(page.locator(f"#item-{second.pk}")).to_be_focused()
    page.keyboard.press("s")
    expect(page.get_by_text(f"Marked as spam comment #{second.pk}.")).to_be_visible()
    page.keyboard.press("b")
    reason = page.locator(f"#ban-reason-{third.pk}")
    expect(reason).to_be_focused()
    reason.fill("Trolling")
    page.get_by_role("button", name="Ban", exact=True).click()
    expect(page.get_by_text("is banned until")).to_be_visible()
    page.keyboard.press("x")
    expect(page.locator(f"#item-{third.pk} [data-select]")).to_be_checked()
    page.keyboard.press("r")
    expect(page.get_by_text(f"Rejected comment #{third.pk}.")).to_be_visible()
    assert list(Comment.objects.order_by("pk").values_list("status", flat=True)) == ["published", "spam", "rejected"]
    assert Ban.objects.get().reason == "Trolling"


def test_the_author_is_warned_before_posting_personal_information(new_page):
    page = new_page()
    page.goto("/")
    body = page.locator("#id_body")
    body.fill("Clearview should pay.")
    expect(page.locator(".pi-warning")).to_have_count(0)
    body.fill("Clearview should pay. Write to me at jane.doe@example.org")
    expect(page.locator(".pi-warning")).to_contain_text("seems to contain personal information")
    body.fill("Clearview should pay.")
    expect(page.locator(".pi-warning")).to_have_count(0)
    body.fill("Call +33 6 12 34 56 78")
    expect(page.locator(".pi-warning")).to_be_visible()
