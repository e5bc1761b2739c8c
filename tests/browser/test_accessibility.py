"""axe-core finds no serious or critical violation on the pages readers use.

axe is injected through the DevTools protocol (``page.evaluate``), which the
page's Content-Security-Policy does not govern, so the policy under test stays
exactly as served.
"""

import pytest
from playwright.sync_api import expect

from forum.debates.models import WordRule
from forum.debates.services import comment_create
from tests.moderation.conftest import log_in, make_user

from .conftest import sign_in
from .steps import post_comment, reply_to, vote

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")


def axe_violations(page, axe_source) -> list[dict]:
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def _serious(violations):
    return [v for v in violations if v["impact"] in BLOCKING]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_debate_and_results_pages_have_no_serious_violation(new_page, debate, axe_source, color_scheme):
    WordRule.objects.create(pattern="held", action="hold")
    other = new_page(color_scheme=color_scheme)
    other.goto("/")
    post_comment(other, "Someone else's comment, to like and reply to.", name="Other")

    page = new_page(color_scheme=color_scheme)
    page.goto("/")
    assert _serious(axe_violations(page, axe_source)) == []  # before voting: no results, no key

    vote(page, "Not sure / it depends")
    post_comment(page, "My own comment, *with emphasis* and a [link](https://example.com).", shows="My own comment")
    post_comment(page, "This one is held for a moderator.")
    reply_to(page, "Someone else's comment", "A reply in the thread.")
    page.goto("/#comments")
    expect(page.locator(".badge-pending")).to_be_visible()
    page.locator(".reply-link").first.click()  # the reply form, open under a comment
    page.locator(".report-link").first.click()  # and the report form
    assert _serious(axe_violations(page, axe_source)) == []

    page.goto(f"/debates/{debate.slug}/results/")
    page.locator("details").first.evaluate("el => el.open = true")
    assert _serious(axe_violations(page, axe_source)) == []

    page.goto("/me/key/restore/")
    assert _serious(axe_violations(page, axe_source)) == []


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_my_data_has_no_serious_violation_and_fits_a_phone(new_page, debate, axe_source, color_scheme):
    WordRule.objects.create(pattern="held", action="hold")
    reader = new_page(color_scheme=color_scheme, viewport={"width": 390, "height": 844})
    reader.goto("/")
    vote(reader, "An unacceptable invasion of privacy")
    post_comment(reader, "A published comment of mine.")
    post_comment(reader, "A comment held for a moderator.")
    reader.goto("/me/")
    expect(reader.get_by_role("heading", name="Your comments (2)")).to_be_visible()
    # The key's 64-character hash and the table of network hashes once made it 559 px wide.
    assert reader.evaluate("document.documentElement.scrollWidth") <= 390
    # The red buttons, white on light red on the dark theme, had a contrast of 2.3:1.
    assert _serious(axe_violations(reader, axe_source)) == []
    reader.goto("/me/erase/")
    assert _serious(axe_violations(reader, axe_source)) == []


def test_the_moderation_queue_has_no_serious_violation(new_page, site, debate, axe_source, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    WordRule.objects.create(pattern="held", action="hold")
    comment_create(debate=debate, participant=None, body="A comment held for a moderator.")
    moderator = sign_in(new_page(), log_in(make_user(moderator=True, with_2fa=True)), site)
    moderator.goto("/moderation/")
    expect(moderator.locator(".comment-body", has_text="held for a moderator")).to_be_visible()
    assert _serious(axe_violations(moderator, axe_source)) == []


def _luminance(rgb: str) -> float:
    channels = [int(x) / 255 for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_an_unticked_poll_answer_has_a_ring_that_stands_out(new_page, debate, color_scheme):
    """WCAG 1.4.11 asks 3:1 for a control's outline; the browser's own radio ring
    all but vanished on the dark theme's cards."""
    page = new_page(color_scheme=color_scheme)
    page.goto("/")
    radio = page.locator("#poll input[type=radio]").first
    ring = radio.evaluate("el => getComputedStyle(el).borderTopColor")
    card = page.locator("#poll").evaluate("el => getComputedStyle(el).backgroundColor")
    assert _contrast(ring, card) >= 3, (ring, card)


def test_a_cancel_link_keeps_its_distance_from_the_button(new_page, site, debate, make_participant):
    author = make_participant()
    created = comment_create(debate=debate, participant=author.participant, body="Mine to edit.")
    page = sign_in(new_page(), author, site)
    page.goto(f"/comments/{created.comment.pk}/edit/")
    button = page.get_by_role("button", name="Save changes").bounding_box()
    cancel = page.get_by_role("link", name="Cancel").bounding_box()
    assert cancel["x"] - (button["x"] + button["width"]) >= 10, (button, cancel)


def test_the_report_page_puts_each_reason_beside_its_button(new_page, site, debate, make_participant):
    """Without JavaScript, Report opens a page of its own, whose reasons once
    stood on lines of their own, away from their radio buttons."""
    created = comment_create(debate=debate, participant=make_participant().participant, body="Report me.")
    page = new_page(java_script_enabled=False)
    page.goto(f"/comments/{created.comment.pk}/report/")
    reasons = page.locator("fieldset label.radio")
    assert reasons.count() >= 3
    for label in reasons.all():
        box, button = label.bounding_box(), label.locator("input[type=radio]").bounding_box()
        assert box["height"] < 40, label.inner_text()  # one line
        assert box["y"] <= button["y"]
        assert button["y"] + button["height"] <= box["y"] + box["height"]


@pytest.mark.parametrize("path", ["/me/key/restore/", "/comments/{pk}/reply/"])
def test_a_form_card_has_the_same_room_above_its_first_label_as_its_padding(new_page, debate, make_participant, path):
    """The first label's own top margin once doubled the room at the top of every form card."""
    created = comment_create(debate=debate, participant=make_participant().participant, body="Reply to me.")
    page = new_page()
    page.goto(path.format(pk=created.comment.pk))
    form = page.locator("main form.card").first
    gap = form.evaluate(
        "f => f.querySelector('label').getBoundingClientRect().top - f.getBoundingClientRect().top"
        " - parseFloat(getComputedStyle(f).paddingTop) - parseFloat(getComputedStyle(f).borderTopWidth)"
    )
    assert abs(gap) <= 1, gap


def test_a_link_wrapped_under_its_button_starts_at_the_left_edge_with_room_above(
    new_page, site, debate, make_participant
):
    """On a phone, "Keep my data" falls below "Erase everything now": it sat indented and touching it."""
    reader = make_participant()
    comment_create(debate=debate, participant=reader.participant, body="Mine to erase.")
    page = sign_in(new_page(viewport={"width": 390, "height": 800}), reader, site)
    page.goto("/me/erase/")
    button = page.get_by_role("button", name="Erase everything now").bounding_box()
    keep = page.get_by_role("link", name="Keep my data").bounding_box()
    assert keep["y"] >= button["y"] + button["height"] + 6, (button, keep)
    assert abs(keep["x"] - button["x"]) < 2, (button, keep)
