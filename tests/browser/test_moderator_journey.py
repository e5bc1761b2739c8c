"""A moderator logs in with a TOTP code, bans a participant from the moderation
pages, the banned participant's next comment is refused with their text intact,
and the moderator downloads the exports and finds in them what happened."""

import csv
import io
import itertools
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from forum.debates.models import Ban, Comment, Debate, Participant, WordRule
from forum.debates.services import comment_create
from tests.moderation.conftest import make_user

from .steps import comment_item, moderator_logs_in, post_comment, vote

pytestmark = pytest.mark.browser

INVASION = "An unacceptable invasion of privacy"


def _download(page, link, extension: str) -> bytes:
    """Click a download link; the file that arrives, after a check of its name."""
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(f".{extension}"), download.value.suggested_filename
    return Path(download.value.path()).read_bytes()


def test_a_moderator_bans_a_participant_whose_next_comment_is_refused_then_exports(new_page, debate, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    debate.premoderation = Debate.Premoderation.FIRST
    debate.results_visibility = Debate.ResultsVisibility.ALWAYS
    debate.save()

    troll = new_page()
    troll.goto("/")
    vote(troll, INVASION)
    post_comment(troll, "Buy cheap followers today.")
    expect(comment_item(troll, "Buy cheap followers today.")).to_contain_text(
        "Awaiting moderation: only you can see it."
    )
    participant = Participant.objects.get()

    moderator = new_page(accept_downloads=True)
    moderator_logs_in(moderator, make_user(moderator=True, with_2fa=True))
    held = Comment.objects.get()
    item = moderator.locator(f"#item-{held.pk}")
    expect(item.locator(".comment-body")).to_have_text("Buy cheap followers today.")
    item.get_by_role("link", name=f"Participant #{participant.pk}").click()
    expect(moderator.get_by_role("heading", name=f"Participant #{participant.pk}")).to_be_visible()
    expect(moderator.locator("main")).to_contain_text("Not banned.")
    ban = moderator.locator("[aria-labelledby=ban-title]")
    ban.get_by_label("1 week").check()
    ban.get_by_label("Reason (shown to the participant)").fill("Selling followers")
    ban.get_by_label("Also reject their comments awaiting review").check()
    ban.get_by_role("button", name="Ban", exact=True).click()
    expect(moderator.get_by_text(f"Participant #{participant.pk} is banned until")).to_be_visible()
    expect(moderator.locator("strong.banned")).to_contain_text("Selling followers")
    expect(moderator.locator("[aria-labelledby=bans-title] tbody tr")).to_contain_text("in force")
    assert Ban.objects.get().participant_id == participant.pk
    assert Comment.objects.get().status == Comment.Status.REJECTED

    # The participant still has the page open from before the ban and writes again.
    text = "You cannot silence me.\n\nI will keep posting, with *Markdown* & <angle> brackets."
    form = troll.locator("#comment-form")
    form.get_by_label("Your comment").fill(text)
    form.get_by_role("button", name="Post comment").click()
    error = troll.locator("#comment-error")
    expect(error).to_contain_text("You are banned from taking part until")
    expect(error).to_contain_text("Reason: Selling followers")
    expect(troll.locator("#comment-form").get_by_label("Your comment")).to_have_value(text)
    assert Comment.objects.count() == 1

    moderator.get_by_role("navigation", name="Moderation").get_by_role("link", name="Debates").click()
    exports = moderator.locator("[aria-labelledby=moderator-exports-title]")
    ballots_row = exports.get_by_role("row", name="Ballots, without identities")
    ballots = list(
        csv.DictReader(io.StringIO(_download(moderator, ballots_row.get_by_role("link", name="CSV"), "csv").decode()))
    )
    invasion = debate.options.get(label=INVASION).key
    assert [(b["option"], b["first_option"], b["changes"]) for b in ballots] == [(invasion, invasion, "0")]
    assert len(ballots[0]["ballot_id"]) == 16

    comments_row = exports.get_by_role("row", name="Comments with their status")
    workbook = load_workbook(io.BytesIO(_download(moderator, comments_row.get_by_role("link", name="XLSX"), "xlsx")))
    header, *rows = workbook["Data"].iter_rows(values_only=True)
    by_column = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(c["id"], c["status"], c["body"]) for c in by_column] == [
        (held.pk, "rejected", "Buy cheap followers today.")
    ]

    # The public results too, although this moderator never voted (readers see them only after voting).
    results_row = exports.get_by_role("row", name="Votes and share per answer")
    results = csv.DictReader(
        io.StringIO(_download(moderator, results_row.get_by_role("link", name="CSV"), "csv").decode())
    )
    assert {r["key"]: r["votes"] for r in results}[invasion] == "1"

    audit_row = exports.get_by_role("row", name="Audit log (whole site)")
    audit = json.loads(_download(moderator, audit_row.get_by_role("link", name="JSON"), "json"))
    actions = [entry["action"] for entry in audit["rows"]]
    assert "ban.create" in actions
    assert actions[-1] == "export.download"  # the download before this one is on record too

    moderator.goto(f"/debates/{debate.slug}/results/")
    results_row = moderator.get_by_role("row", name="Votes and share per answer")
    results = load_workbook(io.BytesIO(_download(moderator, results_row.get_by_role("link", name="XLSX"), "xlsx")))
    header, *rows = results["Data"].iter_rows(values_only=True)
    votes = {row[header.index("label")]: row[header.index("votes")] for row in rows}
    assert votes[INVASION] == 1
    assert sum(votes.values()) == 1


def test_the_moderation_pages_header_lines_up_with_their_wider_content(new_page, debate, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    WordRule.objects.create(pattern="held", action="hold")
    comment_create(debate=debate, participant=None, body="A comment held for a moderator.")  # a bulk bar to measure
    moderator = new_page(viewport={"width": 1280, "height": 800})
    moderator_logs_in(moderator, make_user(moderator=True, with_2fa=True))
    edges = moderator.evaluate(
        """() => [".site-header .wrap", "main", "footer .wrap"].map(s => {
            const r = document.querySelector(s).getBoundingClientRect();
            return [Math.round(r.left), Math.round(r.right)];
        })"""
    )
    header, main, footer = edges
    assert main[1] - main[0] > 46 * 16, edges  # wider than the reading pages' 46rem
    assert header == main == footer, edges
    # The bulk bar's labels line up: the text field's label once sat 5 px above the menus'.
    tops = moderator.locator(".bulk-bar .field label").evaluate_all(
        "labels => labels.map(l => Math.round(l.getBoundingClientRect().top))"
    )
    assert len(tops) == 4
    assert len(set(tops)) == 1, tops
    # The audit log's filters stay inside their card without overlapping (date fields need room),
    # and its identifiers are never broken across lines.
    moderator.goto("/moderation/audit/")
    card = moderator.locator(".audit-filters").bounding_box()
    boxes = [i.bounding_box() for i in moderator.locator(".filter-grid input").all()]
    assert len(boxes) == 6
    for box in boxes:
        assert card["x"] <= box["x"], (card, box)
        assert box["x"] + box["width"] <= card["x"] + card["width"], (card, box)
    for a, b in itertools.pairwise(boxes):
        if abs(a["y"] - b["y"]) < 1:  # same row
            assert a["x"] + a["width"] <= b["x"], (a, b)
    moderator.set_viewport_size({"width": 560, "height": 800})  # the table scrolls rather than break them
    lines = moderator.locator(".audit-table :is(code, time, a)").evaluate_all(
        "items => items.map(c => c.getClientRects().length)"
    )
    assert lines
    assert set(lines) == {1}, lines


def test_a_wrong_code_reads_as_an_error_like_a_wrong_password(new_page, debate, settings):
    """Once small grey help text, easy to miss beside the red box of a wrong password."""
    from tests.moderation.conftest import PASSWORD

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = make_user(moderator=True, with_2fa=True)
    page = new_page()
    page.goto("/moderation/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Log in").click()
    error = page.get_by_role("alert")
    expect(error).to_have_text("Incorrect code.")
    danger = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()")
    expect(error).to_have_css("color", _rgb(danger))
    expect(page.get_by_label("Code")).to_have_css("border-top-color", _rgb(danger))


def _rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"
