"""The queue in Chromium: a moderator logs in with a TOTP code and works the queue
with the keyboard shortcuts (j/k to move, a approve, r reject, s spam, b ban, x select)."""

import pytest
from playwright.sync_api import expect

from forum.debates.models import Ban, Comment
from tests.browser import conftest as browser_fixtures
from tests.browser.steps import moderator_logs_in
from tests.moderation.conftest import make_user
from tests.moderation.test_screening import NOT_PHONE_NUMBERS, PHONE_NUMBERS

# The browser journeys' fixtures (live server, fresh pages), with a Chromium of this module's own.
live_server = browser_fixtures.live_server
site = browser_fixtures.site
new_page = browser_fixtures.new_page
artifacts = browser_fixtures.artifacts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    """Chromium for this module only, so the guard it lifts is back before any other test runs."""
    with browser_fixtures.launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def logged_in(new_page):
    page = new_page()
    moderator_logs_in(page, make_user(moderator=True, with_2fa=True))
    return page


def test_the_bulk_bar_fits_one_row_on_a_desktop(logged_in, make_comment):
    make_comment("A held comment")
    page = logged_in
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/moderation/")
    action = page.locator("#bulk-action").bounding_box()
    apply = page.get_by_role("button", name="Apply to selected").bounding_box()
    # On the fields' row: the button's middle lies within the height of the first field.
    assert action["y"] <= apply["y"] + apply["height"] / 2 <= action["y"] + action["height"]


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
    expect(page.get_by_text(f"Marked comment #{second.pk} as spam.")).to_be_visible()
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
    # The page warns as the server holds: phone numbers, not the numbers of a debate about a fine.
    for text in PHONE_NUMBERS:
        body.fill("Clearview should pay.")
        expect(page.locator(".pi-warning")).to_have_count(0)
        body.fill(text)
        expect(page.locator(".pi-warning"), text).to_be_visible()
    for text in NOT_PHONE_NUMBERS:
        body.fill(text)
        expect(page.locator(".pi-warning"), text).to_have_count(0)
