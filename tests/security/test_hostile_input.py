"""Every hostile string as a comment body, a display name and a report note, through
the JSON API and the HTML page: 201 or 400 (never 500), stored and shown exactly
as the documented normalisation says, and never as markup that could run."""

from http import HTTPStatus

import pytest
from django.utils.html import escape

from forum.debates.models import Comment, Report

from .payloads import (
    BLNS,
    display_name,
    expected_text,
    hostile_strings,
    normalised,
    normalised_body,
    text_of,
    unsafe_markup,
    visible,
)

pytestmark = pytest.mark.skipif(not BLNS.exists(), reason=f"the naughty strings corpus is missing at {BLNS}")

STRINGS = hostile_strings()
BODY_LIMIT = 5000


def _comments_url(debate):
    return f"/api/v1/debates/{debate.slug}/comments"


def test_every_hostile_body_is_stored_normalised_and_rendered_without_markup(api, debate, no_rate_limits, settings):
    settings.COMMENTS_PER_PAGE = len(STRINGS) + 10
    created = {}
    for sent in STRINGS:
        response = api.post(_comments_url(debate), {"body": sent})
        body = normalised_body(sent)
        if not visible(body).strip() or len(body) > BODY_LIMIT:  # empty, or nothing that shows
            assert response.status_code == HTTPStatus.BAD_REQUEST, (sent, response.content)
            assert response.json()["fields"]["body"] in ("required", "too long")
            assert response.json()["message"]
            continue
        assert response.status_code == HTTPStatus.CREATED, (sent, response.content)
        created[response.json()["id"]] = sent

    stored = {c.pk: c for c in Comment.objects.filter(pk__in=created)}
    listed = api.get(_comments_url(debate)).json()["results"]
    # Screening may hold a string that looks like a phone number; held comments
    # are visible only to their authors, so the list holds the published ones.
    by_id = {c["id"]: c for c in listed}
    assert len(by_id) == sum(1 for c in stored.values() if c.status == Comment.Status.PUBLISHED)
    page = api.client.get(f"/debates/{debate.slug}/").content.decode()
    for pk, sent in created.items():
        comment = stored[pk]
        assert comment.body == normalised_body(sent), sent
        assert unsafe_markup(comment.body_html) == [], sent
        assert text_of(comment.body_html).strip() == expected_text(sent), sent
        if comment.status == Comment.Status.PUBLISHED:
            assert by_id[pk]["body_html"] == comment.body_html
            assert f'<div class="comment-body">{comment.body_html}</div>' in page, sent


def test_every_hostile_display_name_is_refused_cleanly_or_shown_as_text(api, debate, no_rate_limits, settings):
    settings.COMMENTS_PER_PAGE = len(STRINGS) + 10
    settings.SCREEN_TOXICITY_SCORER = ""  # the bodies are plain; the model reads only bodies
    created = {}
    for i, sent in enumerate(STRINGS):
        response = api.post(_comments_url(debate), {"body": f"Comment number {i}.", "author_name": sent})
        assert response.status_code in (HTTPStatus.CREATED, HTTPStatus.BAD_REQUEST), (sent, response.content)
        if response.status_code == HTTPStatus.BAD_REQUEST:
            # Too long, or a name that could pass for the site's staff.
            assert response.json()["message"], sent
            if response.json()["fields"]["author_name"] != "reserved":
                assert len(display_name(sent)) > 40, sent
            continue
        assert len(display_name(sent)) <= 40, sent
        created[response.json()["id"]] = sent

    assert len(created) > len(STRINGS) / 2
    listed = {c["id"]: c for c in api.get(_comments_url(debate)).json()["results"]}
    page = api.client.get(f"/debates/{debate.slug}/").content.decode()
    for pk, sent in created.items():
        shown = display_name(sent) or "Anonymous"
        assert listed[pk]["author_name"] == shown, sent
        assert f'<span class="author" id="c{pk}-by">{escape(shown)}</span>' in page, sent


def test_every_hostile_report_note_is_stored_normalised_or_refused(
    api, debate, no_rate_limits, make_participant, settings
):
    settings.COMMENT_REPORTS_TO_HIDE = len(STRINGS) + 1
    settings.SCREEN_TOXICITY_SCORER = ""
    author = make_participant()
    comment_id = api.post(_comments_url(debate), {"body": "Report me."}, key=author.key).json()["id"]
    for sent in STRINGS:
        # A fresh reporter each time: one report per reader per comment.
        response = api.post(f"/api/v1/comments/{comment_id}/reports", {"reason": "other", "note": sent})
        if len(normalised(sent)) > 500 or len(sent) > 2000:
            assert response.status_code == HTTPStatus.BAD_REQUEST, sent
            assert response.json()["message"]
            continue
        assert response.status_code == HTTPStatus.CREATED, (sent, response.content)
        assert Report.objects.get(pk=response.json()["id"]).note == normalised(sent)
