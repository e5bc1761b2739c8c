"""The naughty strings and our XSS payloads, seen in Chromium: no dialog ever opens,
no injected element carries a script, and the visible text is what was sent."""

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from forum.debates.models import Appeal, Ban, Comment, Debate, Report
from forum.debates.services import Refused, comment_create, participant_create, vote_cast
from tests.moderation.conftest import log_in, make_user
from tests.security.payloads import (
    BLNS,
    XSS,
    display_name,
    expected_text,
    hostile_strings,
    normalised,
    normalised_body,
)

from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BLNS.exists(), reason=f"the naughty strings corpus is missing at {BLNS}"),
]

# Everything on the page that could run script: on* handlers, javascript: URLs,
# any <iframe>, <object> or <embed>, and any script but the site's own files.
ACTIVE_CONTENT = """() => {
    const found = [];
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            if (attr.name.startsWith('on')) found.push(el.tagName + ' ' + attr.name);
            const isUrl = ['href', 'src', 'action', 'formaction', 'data'].includes(attr.name);
            if (isUrl && /^\\s*(javascript|vbscript|data):/i.test(attr.value))
                found.push(el.tagName + ' ' + attr.name + '=' + attr.value);
        }
    }
    for (const el of document.querySelectorAll('iframe, object, embed, frame, base, meta[http-equiv]'))
        found.push(el.outerHTML);
    for (const script of document.scripts) {
        const src = script.getAttribute('src') || 'inline';
        if (!/^\\/static\\/forum\\/[a-z_-]+\\.[0-9a-f]+\\.js$/.test(src)) found.push('script ' + src);
    }
    return found;
}"""

MY_BODIES = """() => Object.fromEntries([...document.querySelectorAll('article.card[id^=c]')].map(a => [
    a.id.slice(1), a.querySelector('.comment-body').textContent,
]))"""

SHOWN = """() => Object.fromEntries([...document.querySelectorAll('li.comment')].map(li => [
    li.id.slice(1),
    {body: li.querySelector(':scope > article .comment-body').textContent,
     author: li.querySelector(':scope > article .author').textContent},
]))"""


def _post_everything(debate) -> dict[int, str]:
    """Each string as the body of a comment, and as its author's name when the name is allowed."""
    sent = {}
    for text in hostile_strings():
        participant, _ = participant_create()
        try:
            created = comment_create(debate=debate, participant=participant, body=text, author_name=text)
        except Refused as refused:
            if refused.fields.get("body"):
                continue  # empty or too long: the API test checks these answers
            created = comment_create(debate=debate, participant=participant, body=text)
        sent[created.comment.pk] = text
    return sent


def test_no_hostile_string_opens_a_dialog_on_the_debate_page_my_data_or_the_queue(new_page, site, debate, settings):
    settings.RATE_LIMITS = False
    settings.COMMENTS_PER_PAGE = 1000
    settings.SCREEN_TOXICITY_SCORER = ""  # the API test runs every string through the model
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sent = _post_everything(debate)
    published = {c.pk for c in Comment.objects.filter(pk__in=sent, status=Comment.Status.PUBLISHED)}
    assert len(published) > len(sent) * 0.9

    # The debate page: every body reads as its Markdown, every name as sent.
    page = new_page()
    page.goto("/", timeout=60_000)  # some six hundred comments on one page
    assert page.evaluate(ACTIVE_CONTENT) == []
    shown = {int(pk): texts for pk, texts in page.evaluate(SHOWN).items()}
    assert set(shown) == published
    for pk in published:
        comment = Comment.objects.get(pk=pk)
        assert shown[pk]["body"].strip() == expected_text(sent[pk]), sent[pk]
        assert shown[pk]["author"] == comment.author_name
        if comment.author_name != "Anonymous":
            assert comment.author_name == display_name(sent[pk])

    # "My data": one reader who wrote all of them, reported them and appealed, notes hostile too.
    owner, key = participant_create()
    Comment.objects.filter(pk__in=sent).update(participant=owner)
    notes = {pk: normalised(text)[:500] for pk, text in sent.items()}
    Report.objects.bulk_create(
        Report(comment_id=pk, participant=owner, reason="other", note=note) for pk, note in notes.items()
    )
    Appeal.objects.bulk_create(Appeal(comment_id=pk, note=n) for pk, n in notes.items())
    mine = new_page()
    mine.context.add_cookies([{"name": django_settings.PARTICIPANT_COOKIE_NAME, "value": key, "url": site}])
    mine.goto("/me/", timeout=60_000)
    assert mine.evaluate(ACTIVE_CONTENT) == []
    bodies = mine.evaluate(MY_BODIES)
    assert len(bodies) == len(sent)
    for pk, text in sent.items():
        # The page shows the raw text, its line breaks as <br>.
        assert bodies[str(pk)] == normalised_body(text).replace("\n", ""), text

    # The moderation queue, with all of them held.
    Comment.objects.filter(pk__in=sent).update(status=Comment.Status.PENDING)
    moderator = sign_in(new_page(), log_in(make_user(moderator=True, with_2fa=True)), site)
    moderator.goto("/moderation/", timeout=60_000)
    expect(moderator.locator(".comment-body").first).to_be_visible()
    assert moderator.evaluate(ACTIVE_CONTENT) == []
    for visited in (page, mine, moderator):
        assert visited.dialogs == []


def test_hostile_question_and_options_show_as_text_on_the_results_page(page, debate):
    debate.question = XSS[0] + " " + XSS[2]
    debate.results_visibility = Debate.ResultsVisibility.ALWAYS
    debate.save()
    labels = [XSS[3], XSS[7], XSS[21]]
    for option, label in zip(debate.options.all(), labels, strict=True):
        option.label = label
        option.save()
    for path in (f"/debates/{debate.slug}/results/", "/"):
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.evaluate(ACTIVE_CONTENT) == []
        expect(page.locator(".results .results-table tbody th")).to_have_text(labels)
    expect(page.locator("#poll-title")).to_have_text(debate.question)
    assert page.dialogs == []


def test_a_refused_hostile_comment_comes_back_escaped_in_the_form(page, debate):
    payload = "</textarea><script>alert('back')</script><img src=x onerror=alert(1)>" + "z" * 5000
    page.goto("/")
    form = page.locator("#comment-form")
    # The textarea stops typing at 5,000 characters; a script-free form post can send more.
    textarea = form.get_by_label("Your comment")
    textarea.evaluate("(el, value) => { el.removeAttribute('maxlength'); el.value = value; }", payload)
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-error")).to_contain_text("the limit is 5,000")
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_have_value(payload)
    assert page.evaluate(ACTIVE_CONTENT) == []
    assert not Comment.objects.exists()
    assert page.dialogs == []


def test_long_names_and_right_to_left_text_fit_a_phone_and_read_in_their_direction(new_page, site, debate, settings):
    """A 40-character name without a space once made the page (and the queue)
    scroll sideways on a phone; an Arabic comment read left to right."""
    for name, body in [
        ("W" * 40, "A long name, no spaces."),
        ("ليلى", "هذه غرامة عادلة.\n\nA second paragraph, in English."),
    ]:
        comment_create(debate=debate, participant=participant_create()[0], body=body, author_name=name)
    page = new_page(viewport={"width": 390, "height": 800})
    page.goto("/")
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    arabic, english = (
        page.locator(".comment-body p").filter(has_text="غرامة"),
        page.locator(".comment-body p").filter(has_text="A second paragraph"),
    )
    assert arabic.evaluate("p => getComputedStyle(p).unicodeBidi") == "plaintext"
    # Right to left: the paragraph's text starts at the right edge of the comment.
    box, body = arabic.bounding_box(), arabic.locator("xpath=..").bounding_box()
    text_right = arabic.evaluate(
        "p => { const r = document.createRange(); r.selectNodeContents(p); return r.getBoundingClientRect().right; }"
    )
    assert abs(text_right - (box["x"] + box["width"])) < 2, (text_right, box, body)
    english_left = english.evaluate(
        "p => { const r = document.createRange(); r.selectNodeContents(p); return r.getBoundingClientRect().left; }"
    )
    assert abs(english_left - english.bounding_box()["x"]) < 2

    # The same comments held, in a moderator's queue on the phone.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    Comment.objects.update(status=Comment.Status.PENDING)
    # A reader's report note of one 500-letter word stays inside its card.
    Report.objects.create(
        comment=Comment.objects.first(), participant=participant_create()[0], reason="other", note="N" * 500
    )
    logged_in = log_in(make_user(moderator=True, with_2fa=True))
    phone = {"viewport": {"width": 390, "height": 800}, "is_mobile": True, "has_touch": True}
    moderator = sign_in(new_page(**phone), logged_in, site)
    moderator.goto("/moderation/")
    expect(moderator.locator(".queue-item .author").first).to_be_visible()
    assert moderator.evaluate("document.documentElement.scrollWidth") <= 390
    assert moderator.locator("details.reports").first.evaluate("d => d.scrollWidth <= d.clientWidth")
    # The author's page with its ban history (a six-column table) scrolls only that table.
    author = Comment.objects.filter(author_name="W" * 40).get().participant
    Ban.objects.create(participant=author, network_hash="a" * 32, reason="Spamming the thread with links")
    moderator.goto(f"/moderation/participants/{author.pk}/")
    expect(moderator.get_by_role("heading", name="Ban history")).to_be_visible()
    assert moderator.evaluate("document.documentElement.scrollWidth") <= 390
    # No keyboard shortcuts offered on a touch screen; on a desktop they are.
    expect(moderator.locator(".key-hints")).to_be_hidden()
    desktop = sign_in(new_page(), logged_in, site)
    desktop.goto("/moderation/")
    expect(desktop.locator(".key-hints")).to_be_visible()
    assert page.dialogs == moderator.dialogs == desktop.dialogs == []


def test_the_sort_and_show_labels_stay_beside_their_menus_on_a_phone(new_page, debate):
    comment_create(debate=debate, participant=participant_create()[0], body="So that the controls show.")
    page = new_page(viewport={"width": 390, "height": 800})
    page.goto("/")
    for name in ("Sort", "Show"):
        label = page.locator(".comment-controls label", has_text=name).bounding_box()
        menu = page.get_by_label(name, exact=True).bounding_box()
        assert abs((label["y"] + label["height"] / 2) - (menu["y"] + menu["height"] / 2)) < 4, (name, label, menu)
        assert menu["x"] > label["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_back_to_an_earlier_filter_shows_that_filter_in_its_menu(new_page, debate):
    """The browser keeps the page it left whole, menus as the reader last set them."""
    comment_create(debate=debate, participant=participant_create()[0], body="So that the controls show.")
    page = new_page()
    page.goto("/")
    with page.expect_navigation():
        page.get_by_label("Show", exact=True).select_option("invasion")
    with page.expect_navigation():
        page.get_by_label("Show", exact=True).select_option("unsure")
    assert "stance=unsure" in page.url
    page.go_back()
    page.wait_for_url("**stance=invasion**")
    expect(page.get_by_label("Show", exact=True)).to_have_value("invasion")
    page.go_back()
    page.wait_for_url(lambda url: "stance=" not in url)
    expect(page.get_by_label("Show", exact=True)).to_have_value("")


def test_on_a_phone_a_comment_reads_name_and_time_on_one_line_and_its_actions_fit_a_finger(new_page, debate):
    participant, _ = participant_create()
    vote_cast(debate=debate, participant=participant, option_key="useful")
    comment_create(debate=debate, participant=participant, body="Police need tools.", author_name="Camille")
    page = new_page(viewport={"width": 390, "height": 800}, has_touch=True, is_mobile=True)
    page.goto("/")
    item = page.locator("li.comment").first
    name = item.locator(".author").bounding_box()
    when = item.locator(".when").bounding_box()
    badge = item.locator(".comment-meta .badge").bounding_box()
    assert abs(name["y"] - when["y"]) < 4, (name, when)  # one line
    assert badge["y"] > name["y"] + name["height"] - 1  # the long stance label below it
    for action in (item.locator(".like-button"), item.get_by_role("link", name="Reply")):
        assert action.bounding_box()["height"] >= 44
        assert action.evaluate("e => getComputedStyle(e).textDecorationLine") == "none"  # alike


def test_a_key_that_wraps_on_a_phone_keeps_its_background(new_page, debate):
    page = new_page(viewport={"width": 390, "height": 800})
    page.goto("/")
    page.locator("#id_body").fill("A first comment, which makes a key.")
    page.get_by_role("button", name="Post comment").click()
    key = page.locator("#participant-key")
    assert key.bounding_box()["height"] > 40  # it wraps
    assert key.evaluate("e => e.getClientRects().length") == 1  # one box behind every line, not a ragged run


def test_on_a_phone_the_vote_reads_your_answer_then_change_then_withdraw(new_page, debate):
    page = new_page(viewport={"width": 390, "height": 800})
    page.goto("/")
    page.get_by_label("An unacceptable invasion of privacy").check()
    page.locator("#poll").get_by_role("button", name="Vote").click()
    yours = page.locator("#poll .your-vote")
    expect(yours).to_have_text("You voted “An unacceptable invasion of privacy”.")
    change = page.locator("#poll").get_by_role("button", name="Change my vote").bounding_box()
    withdraw = page.locator("#poll").get_by_role("button", name="Withdraw my vote").bounding_box()
    said = yours.bounding_box()
    # One after the other, not the answer wrapped around the button
    assert said["y"] + said["height"] <= change["y"]
    assert change["y"] + change["height"] + 4 <= withdraw["y"]
