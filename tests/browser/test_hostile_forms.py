"""The naughty strings and our XSS payloads sent through the real forms of an
appeal and of the poll editor, then seen in Chromium: no dialog opens, nothing
that could run script is on the page, and the visible text is what was sent.

A handful go through each form as a person fills it in; the rest go through
the same form by a ``fetch`` POST from the page (the browser's own cookies,
CSRF token and encoding). To keep some six hundred strings to a few dozen
page loads, they travel several to a note, a question or an option label,
joined by a separator, as long as the result is within the field's limit;
escaping does not depend on the neighbours, and a failure shows in the text
or the page's markup all the same. Each string that is refused alone (empty
once normalised, too long) is sent alone and must be refused. The comment body, display
name and report note are in ``test_hostile_input.py``.
"""

import math

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import F
from playwright.sync_api import expect

from forum.debates.models import Appeal, Comment, Debate
from forum.debates.services import participant_create
from forum.lib.markdown import render_comment
from tests.moderation.conftest import log_in, make_user
from tests.security.payloads import BLNS, XSS, hostile_strings, normalised, normalised_name

from .conftest import sign_in
from .test_hostile_input import ACTIVE_CONTENT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BLNS.exists(), reason=f"the naughty strings corpus is missing at {BLNS}"),
]

# POSTs each [url, fields] in turn with the page's CSRF token, without following
# the redirect that answers a success; returns each answer's status (0 for a redirect).
POST_ALL = """async ([posts, token]) => {
    const statuses = [];
    for (const [url, fields] of posts) {
        const body = new URLSearchParams({csrfmiddlewaretoken: token, ...fields});
        const response = await fetch(url, {method: 'POST', body, redirect: 'manual', credentials: 'same-origin'});
        statuses.push(response.status);
    }
    return statuses;
}"""

CSRF_TOKEN = "() => document.querySelector('input[name=csrfmiddlewaretoken]').value"


SEPARATOR = " ¦ "


def _packs(strings: list[str], fits) -> list[str]:
    """The strings joined into as few texts as ``fits`` allows, in order; a string
    that does not fit alone is left out."""
    packs, current = [], []
    for text in strings:
        if not fits(text):
            continue
        if current and not fits(SEPARATOR.join([*current, text])):
            packs.append(SEPARATOR.join(current))
            current = [text]
        else:
            current.append(text)
    if current:
        packs.append(SEPARATOR.join(current))
    return packs


def _no_active_content(page) -> None:
    assert page.evaluate(ACTIVE_CONTENT) == [], page.url


# ------------------------------------------------------------------ appeals

# The note of each open appeal in the queue: the text after "Appeal (when): ".
QUEUE_NOTES = """() => Object.fromEntries([...document.querySelectorAll('.queue-item')].map(li => {
    const box = li.querySelector('.appeal');
    const span = box.querySelector('span');
    let text = '';
    for (let n = span.nextSibling; n; n = n.nextSibling) text += n.textContent;
    return [li.dataset.item, text];
}))"""

MY_APPEALS = """() => Object.fromEntries([...document.querySelectorAll('[aria-labelledby=appeals-title] tbody tr')]
    .map(tr => [tr.cells[0].textContent.replace('#', ''), tr.cells[1].textContent]))"""

# Sent through the form as a person would: script, markup breaking out of the
# textarea and the quotes around the note, a right-to-left override, emoji.
BY_HAND = [XSS[0], XSS[2], XSS[5], XSS[7], XSS[21], "\u202eevil.exe\u202c reversed", "👩🏽‍🚒 “quoted” \u2018note\u2019"]


def _appeal_accepted(text: str) -> bool:
    # The service wants 1 to 500 characters once normalised (NUL removed, trimmed).
    return 1 <= len(normalised(text)) <= 500 and len(text.strip()) <= 2000


def _held_comments(debate, participant, n: int) -> list[int]:
    """Held comments of the participant, one for each note to send."""
    with transaction.atomic():
        created = Comment.objects.bulk_create(
            Comment(
                debate=debate,
                participant=participant,
                body=f"Held comment {i}",
                body_html=render_comment(f"Held comment {i}"),
                status=Comment.Status.PENDING,
            )
            for i in range(n)
        )
        Comment.objects.filter(thread__isnull=True).update(thread=F("pk"))
    return [c.pk for c in created]


def test_hostile_appeal_notes_show_as_sent_on_the_status_page_my_data_and_the_queue(new_page, site, debate, settings):
    settings.RATE_LIMITS = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    strings = list(dict.fromkeys([*BY_HAND, *hostile_strings()]))
    bulk = strings[len(BY_HAND) :]
    # Each string that makes a valid note alone travels in a note with others; each
    # that does not (empty once normalised, too long) is sent alone and must be refused.
    notes = [*BY_HAND, *_packs(bulk, _appeal_accepted), *(t for t in bulk if not _appeal_accepted(t))]
    owner, key = participant_create()
    sent = dict(zip(_held_comments(debate, owner, len(notes)), notes, strict=True))
    page = new_page()
    page.context.add_cookies([{"name": django_settings.PARTICIPANT_COOKIE_NAME, "value": key, "url": site}])

    # By hand: the author opens the status page of a held comment and appeals.
    for pk, note in list(sent.items())[: len(BY_HAND)]:
        page.goto(f"/comments/{pk}/status/")
        page.get_by_label("Why should we look again?").fill(note)
        page.get_by_role("button", name="Send the appeal").click()
        shown = page.locator("#appeal p").first
        expect(shown).to_contain_text("You appealed on")
        assert shown.text_content().split(": “", 1)[1][:-1] == normalised(note)
        _no_active_content(page)

    # Too long: refused, and the note comes back escaped in the form.
    too_long = _held_comments(debate, owner, 1)[0]
    page.goto(f"/comments/{too_long}/status/")
    box = page.get_by_label("Why should we look again?")
    box.evaluate("(el, value) => { el.removeAttribute('maxlength'); el.value = value; }", XSS[7] + "z" * 600)
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.get_by_role("alert")).to_contain_text("Please explain in up to 500 characters.")
    expect(page.get_by_label("Why should we look again?")).to_have_value(XSS[7] + "z" * 600)
    _no_active_content(page)

    # The rest through the same form, posted from the page.
    rest = list(sent.items())[len(BY_HAND) :]
    token = page.evaluate(CSRF_TOKEN)
    posts = [[f"/comments/{pk}/status/", {"note": note}] for pk, note in rest]
    statuses = page.evaluate(POST_ALL, [posts, token])
    assert statuses == [0 if _appeal_accepted(note) else 400 for _, note in rest]
    appealed = {pk for pk, note in sent.items() if _appeal_accepted(note)}
    assert set(Appeal.objects.values_list("comment_id", flat=True)) == appealed
    carried = "\n".join(sent[pk] for pk in appealed)
    assert all(text in carried for text in strings if _appeal_accepted(text))

    # "My data": every appeal, its note as sent.
    page.goto("/me/")
    _no_active_content(page)
    mine = page.evaluate(MY_APPEALS)
    assert {int(pk) for pk in mine} == appealed
    for pk in appealed:
        assert mine[str(pk)] == normalised(sent[pk]), sent[pk]

    # The queue's appeals tab, page after page: every open appeal with its note.
    moderator = sign_in(new_page(), _log_in_moderator(), site)
    moderator.goto("/moderation/?tab=appeals")
    seen = {}
    while True:
        expect(moderator.get_by_role("heading", name="Moderation queue")).to_be_visible()
        _no_active_content(moderator)
        seen.update(moderator.evaluate(QUEUE_NOTES))
        following = moderator.get_by_role("link", name="Next page")
        if not following.count():
            break
        following.click()
    assert {int(pk) for pk in seen} == appealed
    for pk in appealed:
        assert seen[str(pk)] == ": " + normalised(sent[pk]), sent[pk]
    assert page.dialogs == []
    assert moderator.dialogs == []


def _log_in_moderator():
    return log_in(make_user(moderator=True, with_2fa=True))


# ---------------------------------------------------------------------- poll

QUESTION_MAX, LABEL_MAX = 500, 200


def _fits(text: str, limit: int) -> bool:
    """Short enough as typed (the fields' maxlength) and as saved."""
    return max(len(text), len(normalised_name(text))) <= limit


SHOWN_POLL = """() => ({
    question: document.querySelector('#poll-title').textContent,
    options: [...document.querySelectorAll('#poll .poll-option span')].map(s => s.textContent),
    results: [...document.querySelectorAll('.results .results-table tbody th')].map(th => th.textContent),
})"""

SHOWN_RESULTS = """() => ({
    question: document.querySelector('main h1').textContent,
    results: [...document.querySelectorAll('.results .results-table tbody th')].map(th => th.textContent),
})"""

EDITOR_VALUES = """() => ({
    question: document.querySelector('#question').value,
    labels: [...document.querySelectorAll('input[id^=label-]')].map(i => i.value).filter(Boolean),
})"""


def _states(strings: list[str]) -> list[tuple[str, list[str]]]:
    """Poll wordings that between them carry every string in a question and in an option."""
    questions = _packs(strings, lambda text: _fits(text, QUESTION_MAX))
    labels = _packs(strings, lambda text: _fits(text, LABEL_MAX))
    count = max(len(questions), math.ceil(len(labels) / 6))
    states = []
    for i in range(count):
        question = questions[i] if i < len(questions) else f"Plain question {i}?"
        options = labels[6 * i : 6 * i + 6]
        options += [f"Plain answer {n}" for n in range(2 - len(options))]
        states.append((question, options))
    return states


def _check_pages(page, slug: str, question: str, labels: list[str]) -> None:
    """The debate page and the results page show the wording exactly, and nothing active."""
    page.goto("/")
    _no_active_content(page)
    assert page.evaluate(SHOWN_POLL) == {"question": question, "options": labels, "results": labels}, question
    page.goto(f"/debates/{slug}/results/")
    _no_active_content(page)
    assert page.evaluate(SHOWN_RESULTS) == {"question": question, "results": labels}, question


def test_hostile_poll_wording_from_the_editor_shows_as_sent_on_the_debate_and_results_pages(
    new_page, site, debate, settings
):
    settings.RATE_LIMITS = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    debate.results_visibility = Debate.ResultsVisibility.ALWAYS
    debate.save()
    strings = list(dict.fromkeys([*XSS, *hostile_strings()]))
    states = _states(strings)
    # Every string that fits is carried by a question and by an option.
    questions = "\n".join(q for q, _ in states)
    options = "\n".join(label for _, labels in states for label in labels)
    for text in strings:
        if _fits(text, LABEL_MAX):
            assert text in questions
            assert text in options
    editor_url = f"/moderation/debates/{debate.pk}/poll/"
    editor = sign_in(new_page(), _log_in_moderator(), site)
    reader = new_page()

    # By hand: the moderator types the first wordings into the editor.
    by_hand = 3
    for question, labels in states[:by_hand]:
        editor.goto(editor_url)
        editor.get_by_label("Question").fill(question)
        for i in range(6):
            editor.get_by_label(f"Key {i + 1}", exact=True).fill(f"o{i + 1}" if i < len(labels) else "")
            editor.get_by_label(f"Label {i + 1}", exact=True).fill(labels[i] if i < len(labels) else "")
        # Text inputs drop line breaks as they are typed: what is sent is what the fields hold.
        typed = editor.evaluate(EDITOR_VALUES)
        editor.get_by_role("button", name="Save the poll").click()
        expect(editor.get_by_text("Saved the poll of")).to_be_visible()
        _no_active_content(editor)
        question, labels = normalised_name(typed["question"]), [normalised_name(t) for t in typed["labels"]]
        assert editor.evaluate(EDITOR_VALUES) == {"question": question, "labels": labels}
        _check_pages(reader, debate.slug, question, labels)

    # Too long: refused, and the question comes back escaped in the form.
    editor.goto(editor_url)
    field = editor.get_by_label("Question")
    field.evaluate("(el, value) => { el.removeAttribute('maxlength'); el.value = value; }", XSS[7] + "q" * 600)
    editor.get_by_role("button", name="Save the poll").click()
    expect(editor.get_by_role("alert")).to_contain_text("The question needs 1 to 500 characters.")
    expect(editor.get_by_label("Question")).to_have_value(XSS[7] + "q" * 600)
    _no_active_content(editor)

    # The rest through the same form, posted from the editor's page.
    token = editor.evaluate(CSRF_TOKEN)
    for question, labels in states[by_hand:]:
        fields = {"question": question, "results_visibility": "always", "poll_open": "on"}
        for i, label in enumerate(labels):
            fields |= {f"key-{i}": f"o{i + 1}", f"label-{i}": label}
        assert editor.evaluate(POST_ALL, [[[editor_url, fields]], token]) == [0], question
        _check_pages(reader, debate.slug, normalised_name(question), [normalised_name(t) for t in labels])

    assert editor.dialogs == []
    assert reader.dialogs == []
