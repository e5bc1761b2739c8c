"""A reader saves the key shown after their first action and restores it in another browser."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

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

    second.get_by_label("Your key").fill(key)
    second.get_by_role("button", name="Use this key").click()
    expect(second.locator("#poll")).to_contain_text(f"You voted “{USEFUL}”")
    mine = comment_item(second, "Written on my first device.")
    expect(mine.get_by_role("link", name="Edit")).to_be_visible()
    expect(mine.get_by_role("link", name="Delete")).to_be_visible()
    # Restoring a key is not a first action: the key is not shown again.
    expect(second.locator("#your-key")).to_have_count(0)
