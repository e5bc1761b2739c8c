"""A reader saves their key, downloads "my data", erases everything, and the key
stops working: once with the mouse, once with the keyboard alone."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from forum.debates.models import Ballot, Comment, Participant
from forum.debates.services import comment_create, participant_create, vote_cast

from .steps import comment_item, post_comment, tab_to, vote

pytestmark = pytest.mark.browser

USEFUL = "A useful, acceptable service for law enforcement"


def _downloaded_data(download) -> dict:
    assert download.suggested_filename.startswith("my-data-")
    assert download.suggested_filename.endswith(".json")
    return json.loads(Path(download.path()).read_text(encoding="utf-8"))


def _erased_rows(page) -> dict[str, str]:
    """The confirmation's table, label to count, as the reader reads it."""
    rows = page.locator(".results-table tbody tr")
    return {row.locator("th").inner_text(): row.locator("td").inner_text() for row in rows.all()}


def _key_no_longer_works(new_page, site: str, key: str) -> None:
    other = new_page()
    other.goto("/me/key/restore/")
    other.get_by_label("Your key").fill(key)
    other.get_by_role("button", name="Use this key").click()
    expect(other.get_by_role("alert")).to_contain_text("does not match any participant")
    # Even as a cookie set by hand, the erased key shows nothing.
    other.context.add_cookies([{"name": django_settings.PARTICIPANT_COOKIE_NAME, "value": key, "url": site}])
    other.goto("/me/")
    expect(other.get_by_text("This browser holds no participant key")).to_be_visible()


def test_a_reader_downloads_their_data_then_erases_everything(new_page, site, debate):
    page = new_page(accept_downloads=True)
    page.goto("/")
    vote(page, USEFUL)
    key = page.locator("#participant-key").text_content().strip()
    with page.expect_download() as key_file:
        page.locator("#your-key").get_by_role("link", name="Download as a file").click()
    assert key in Path(key_file.value.path()).read_text(encoding="utf-8")
    post_comment(page, "Mine, until I erase it.", "Erin")

    page.get_by_role("navigation").get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", name="My data", level=1)).to_be_visible()
    expect(page.locator("#comments-title")).to_have_text("Your comments (1)")
    expect(page.locator("article.card .comment-body")).to_have_text("Mine, until I erase it.")
    # Both network hashes are listed with what holds them: the vote and the comment.
    expect(page.locator("[aria-labelledby=hashes-title] tbody td:nth-child(2)")).to_have_text(
        ["your vote", "your comment"]
    )

    with page.expect_download() as data_file:
        page.get_by_role("link", name="Download all of it (JSON)").click()
    data = _downloaded_data(data_file.value)
    participant = Participant.objects.get()
    assert data["participant"]["id"] == participant.pk
    assert data["participant"]["key_sha256"] == participant.key_hash
    assert [(c["body"], c["author_name"], c["status"]) for c in data["comments"]] == [
        ("Mine, until I erase it.", "Erin", "published")
    ]
    assert [(b["debate"], b["current_choice"]["label"]) for b in data["ballots"]] == [(debate.slug, USEFUL)]
    assert key not in json.dumps(data)  # the key itself is never stored, so never exported

    page.get_by_role("link", name="Erase everything…").first.click()
    expect(page.get_by_role("heading", name="Erase everything?")).to_be_visible()
    to_erase = _erased_rows(page)
    assert to_erase["Comments, in every status"] == "1"
    assert to_erase["Votes"] == "1"
    page.get_by_role("button", name="Erase everything now").click()
    expect(page.get_by_role("heading", name="Your data was erased")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("This is what was erased")
    erased = _erased_rows(page)
    assert erased["Your key (the scrambled copy we kept)"] == "1"
    assert erased["Comments, in every status"] == "1"
    assert erased["Votes"] == "1"

    page.get_by_role("link", name="Back to the debate").click()
    expect(page.locator("#poll")).not_to_contain_text("You voted")
    expect(comment_item(page, "Mine, until I erase it.")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Mine, until I erase it.")
    assert not Comment.objects.exists()
    assert not Ballot.objects.exists()
    assert not Participant.objects.exists()
    _key_no_longer_works(new_page, site, key)


def test_a_keyboard_user_downloads_and_erases_their_data(new_page, site, debate):
    participant, key = participant_create()
    vote_cast(debate=debate, participant=participant, option_key=debate.options.first().key)
    comment_create(debate=debate, participant=participant, body="Typed and erased by keyboard.", author_name="Kay")
    page = new_page(accept_downloads=True)
    page.context.add_cookies([{"name": django_settings.PARTICIPANT_COOKIE_NAME, "value": key, "url": site}])
    page.goto("/")
    expect(comment_item(page, "Typed and erased by keyboard.")).to_be_visible()

    tab_to(page, "nav a[href='/me/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My data", level=1)).to_be_visible()
    tab_to(page, "a[href='/me/download/']")
    with page.expect_download() as data_file:
        page.keyboard.press("Enter")
    data = _downloaded_data(data_file.value)
    assert [c["body"] for c in data["comments"]] == ["Typed and erased by keyboard."]
    assert [b["current_choice"]["key"] for b in data["ballots"]] == [debate.options.first().key]

    tab_to(page, "a[href='/me/erase/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Erase everything?")).to_be_visible()
    tab_to(page, "form button[type=submit]")
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="Your data was erased")).to_be_visible()
    erased = _erased_rows(page)
    assert erased["Comments, in every status"] == "1"
    assert erased["Votes"] == "1"

    tab_to(page, "main a[href='/']")
    page.keyboard.press("Enter")
    expect(page.locator("#poll")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Typed and erased by keyboard.")
    assert not Participant.objects.exists()
    _key_no_longer_works(new_page, site, key)
