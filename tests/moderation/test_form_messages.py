"""Every refused form says what is wrong in the words of the limit that applies,
never a field's internal name ("None: Enter a whole number") or another limit
than the real one, and hands back what was written."""

from html import escape
from http import HTTPStatus

import pytest

from forum.debates.models import Ban, Comment, Report
from tests.debates.test_comments_html import POST_URL, form


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "x" * 20000}, "Your comment is longer than the limit of 5,000 characters."),
        ({"body": "x" * 6000}, "Your comment is 6,000 characters long; the limit is 5,000."),
        ({"author_name": "n" * 420}, "Your display name can be at most 40 characters."),
        ({"author_name": "n" * 41}, "Your display name can be at most 40 characters."),
        (
            {"parent_id": "abc"},
            "This form is out of date. Your text is below: please reload the page and send it again.",
        ),
        ({"parent_id": "-3"}, "This form is out of date."),
        ({"idempotency_key": "k" * 65}, "This form is out of date."),
    ],
)
def test_a_refused_comment_says_why_in_the_words_of_the_limit(reader, debate, no_rate_limits, fields, message):
    sent = {**form("A comment worth keeping."), **fields}
    response = reader.post(POST_URL, sent)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert escape(message) in page
    assert "None:" not in page
    assert escape(sent["body"][:200]) in page  # handed back
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Your comment is empty."),
        ("x" * 20000, "Your comment is longer than the limit of 5,000 characters."),
        ("x" * 6000, "Your comment is 6,000 characters long; the limit is 5,000."),
    ],
)
def test_a_refused_edit_says_why(reader, debate, no_rate_limits, body, message):
    reader.post(POST_URL, form("The first words."))
    comment = Comment.objects.get()
    response = reader.post(f"/comments/{comment.pk}/edit/", {"body": body})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert escape(message) in response.content.decode()
    assert Comment.objects.get().body == "The first words."


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "spam", "note": "n" * 2500}, "The note can be at most 500 characters."),
        ({"reason": "spam", "note": "n" * 600}, "The note can be at most 500 characters."),
        ({"note": "no reason"}, "Please choose a reason for your report."),
        ({"reason": "nonsense"}, "Please choose a reason for your report."),
    ],
)
def test_a_refused_report_says_why(reader, make_participant, debate, no_rate_limits, fields, message):
    make_participant().post(POST_URL, form("Report me."))
    comment = Comment.objects.get()
    response = reader.post(f"/comments/{comment.pk}/report/", fields)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert escape(message) in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"duration": "1d", "reason": "r" * 2500}, "Give a reason for the ban, up to 500 characters."),
        ({"duration": "1d", "reason": "r" * 600}, "Give a reason for the ban, up to 500 characters."),
        ({"duration": "forever", "reason": "Trolling"}, "Choose how long the ban lasts: 1 day, 1 week or permanently."),
    ],
)
def test_a_refused_ban_says_why(moderator, make_participant, debate, fields, message):
    participant = make_participant().participant
    response = moderator.post(f"/moderation/participants/{participant.pk}/ban/", fields)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert escape(message) in response.content.decode()
    assert not Ban.objects.exists()
