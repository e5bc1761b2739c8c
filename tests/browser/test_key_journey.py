"""A reader saves the key shown after their first action and restores it in another browser."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from forum.debates.models import Debate

from .steps import comment_item, post_comment, vote

pytestmark = pytest.mark.browser

USEFUL = "A useful, acceptable service for law enforcement"


def test_the_key_is_shown_once_downloads_and_restores_in_a_fresh_browser(new_page, debate):
    first = new_page(accept_downloads=True)
    first.goto("/")
    expect(first.locator("#your-key")).to_have_count(0)
    vote(first, USEFUL)
    panel = first.locator("#your-key")
    expect(panel.get_by_role("heading", name="Save your secret key")).to_be_visible()
    key = first.locator("#participant-key").text_content().strip()
    assert len(key) >= 32

    with first.expect_download() as download:
        panel.get_by_role("link", name="Download as a file").click()
    assert download.value.suggested_filename == "debate-key.txt"
    assert key in Path(download.value.path()).read_text(encoding="utf-8")

    post_comment(first, "Written on my first device.")
    first.reload()
    expect(first.locator("#your-key")).to_have_count(0)

    second = new_page()
    second.goto("/me/key/restore/")
    second.get_by_label("Your key").fill("not-my-key")
    second.get_by_role("button", name="Use this key").click()
    expect(second.get_by_role("alert")).to_contain_text("does not match any participant")
    # The key that matched nothing stays in the field, to be checked.
    expect(second.get_by_label("Your key")).to_have_value("not-my-key")

    second.get_by_label("Your key").fill(key)
    second.get_by_role("button", name="Use this key").click()
    expect(second.locator("#key-restored")).to_contain_text("This browser now uses your key")
    # Said once: the address loses its one-time parameter, and a reload does not say it again.
    expect(second).not_to_have_url(re.compile(r"[?&]restored="))
    second.reload()
    expect(second.locator("#key-restored")).to_have_count(0)
    expect(second.locator("#poll")).to_contain_text(f"You voted “{USEFUL}”")
    mine = comment_item(second, "Written on my first device.")
    expect(mine.get_by_role("link", name="Edit")).to_be_visible()
    expect(mine.get_by_role("link", name="Delete")).to_be_visible()
    # Restoring a key is not a first action: the key is not shown again.
    expect(second.locator("#your-key")).to_have_count(0)


IN_VIEW = """el => { const r = el.getBoundingClientRect(); return r.top < window.innerHeight && r.bottom > 0; }"""


def _focused_in(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && !!document.activeElement.closest(s)", selector)


def test_after_each_action_in_place_the_reader_is_taken_to_what_it_did(new_page, debate, make_participant):
    """fetch drops the redirect's #fragment, so the focus once fell to the page's
    top with the new comment and the key out of sight."""
    make_participant().post(
        f"/api/v1/debates/{debate.slug}/comments", {"body": "Somebody else's thread."}, content_type="application/json"
    )
    page = new_page(viewport={"width": 390, "height": 700})
    page.goto("/")
    vote(page, USEFUL)
    # A first action: the key, shown this once, is where the reader lands.
    expect(page.locator("#your-key")).to_be_focused()
    assert page.locator("#your-key").evaluate(IN_VIEW)

    post_comment(page, "Mine, in place.")
    mine = comment_item(page, "Mine, in place.")
    expect(mine.locator(":scope > article")).to_be_focused()
    assert mine.evaluate(IN_VIEW)

    vote(page, "Not sure / it depends")
    assert _focused_in(page, "#poll")
    assert page.locator("#poll").evaluate(IN_VIEW)


def test_a_first_report_in_place_keeps_the_reader_there_and_points_to_the_key(new_page, debate, make_participant):
    """On a phone the key, at the top, was thousands of pixels from the comment
    the reader had just reported or liked; it is pointed to from there instead."""
    for n in range(12):
        make_participant().post(
            f"/api/v1/debates/{debate.slug}/comments", {"body": f"Filler {n}."}, content_type="application/json"
        )
    make_participant().post(
        f"/api/v1/debates/{debate.slug}/comments", {"body": "Report-worthy, perhaps."}, content_type="application/json"
    )
    page = new_page(viewport={"width": 390, "height": 700})
    page.goto("/?sort=oldest")
    item = comment_item(page, "Report-worthy, perhaps.")
    item.locator(":scope > article .comment-actions").get_by_role("link", name="Report").click()
    form = page.locator("#report-form")
    form.get_by_role("radio").first.check()
    form.get_by_role("button", name="Send report").click()
    expect(page.locator("#comments .notice").first).to_be_visible()
    pointer = page.locator(".key-made")
    expect(pointer).to_be_visible()
    assert pointer.evaluate(IN_VIEW)
    assert not page.locator("#your-key").evaluate(IN_VIEW)
    pointer.get_by_role("link", name="save it").click()
    assert page.locator("#your-key").evaluate(IN_VIEW)
    key = page.locator("#participant-key").text_content().strip()
    assert len(key) >= 32
    page.reload()
    expect(page.locator("#your-key")).to_have_count(0)  # shown once


def test_a_first_comment_in_place_shows_the_comment_and_points_to_the_key(new_page, debate):
    """The key sits above the poll; a reader taken there after their first comment
    could not see whether it was posted."""
    page = new_page(viewport={"width": 390, "height": 700})
    page.goto("/")
    post_comment(page, "My first words here.")
    mine = comment_item(page, "My first words here.")
    expect(mine.locator(":scope > article")).to_be_focused()
    assert mine.evaluate(IN_VIEW)
    pointer = page.locator(".key-made")
    expect(pointer).to_be_visible()
    assert pointer.evaluate(IN_VIEW)
    pointer.get_by_role("link", name="save it").click()
    assert page.locator("#your-key").evaluate(IN_VIEW)


def test_a_vote_where_comments_are_closed_keeps_the_reader_at_the_poll(new_page, debate):
    """The notice "Comments are closed" is no reason to leave the poll."""
    Debate.objects.filter(pk=debate.pk).update(comments_open=False)
    page = new_page()
    page.goto("/")
    vote(page, USEFUL)
    expect(page.locator("#your-key")).to_be_focused()
    vote(page, "Not sure / it depends")
    assert _focused_in(page, "#poll")
