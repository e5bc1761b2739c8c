"""Voting, commenting and replying with the keyboard alone, with a visible focus at each step."""

import pytest
from playwright.sync_api import expect

from .steps import comment_item, focus_is_visible, results_row, tab_to

pytestmark = pytest.mark.browser

INVASION = "An unacceptable invasion of privacy"


def test_a_keyboard_user_skips_to_the_content_votes_comments_and_replies(page, debate):
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    tab_to(page, "#poll input[type=radio]")
    assert focus_is_visible(page)
    # Arrow keys move through a radio group and select as they go.
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label(INVASION, exact=True)).to_be_checked()
    tab_to(page, "#poll button[type=submit]")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#poll")).to_contain_text(f"You voted “{INVASION}”")
    expect(results_row(page, INVASION)).to_contain_text("100.0%")

    tab_to(page, "#id_body")
    assert focus_is_visible(page)
    page.keyboard.type("Typed without a mouse.")
    tab_to(page, "#id_author_name")
    page.keyboard.type("Keys")
    tab_to(page, "#comment-form button[type=submit]")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    posted = comment_item(page, "Typed without a mouse.")
    expect(posted.locator(".author")).to_have_text("Keys")

    tab_to(page, f"#{posted.get_attribute('id')} .reply-link")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    # The reply form opens under the comment with the focus in its text box.
    expect(posted.get_by_role("textbox", name="Your reply")).to_be_focused()
    expect(posted.locator(".reply-link")).to_have_attribute("aria-expanded", "true")
    page.keyboard.type("And a reply, also by keyboard.")
    tab_to(page, f"#{posted.get_attribute('id')} #reply-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(comment_item(page, "Typed without a mouse.").locator(".replies")).to_contain_text("also by keyboard")
