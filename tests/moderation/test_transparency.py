"""The public transparency page: per month, comments published, held, rejected and
removed, by reason code, with no personal data."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.db import connections
from django.utils import timezone

from forum.debates.models import Comment, Report
from forum.moderation.models import TransparencyTally
from forum.moderation.transparency import month_of, tally

URL = "/api/v1/debates/clearview-ai-cnil-fine/comments"


def month_figures(client) -> dict:
    months = client.get("/api/v1/transparency").json()
    assert months[0]["month"] == timezone.now().strftime("%Y-%m")
    return {o["outcome"]: (o["total"], o["reasons"]) for o in months[0]["outcomes"]}


def test_counts_follow_every_outcome_by_reason(api, debate, moderator, make_participant, settings, no_rate_limits):
    settings.COMMENT_REPORTS_TO_HIDE = 1
    published = api.post(URL, {"body": "A calm and clean remark."}).json()["id"]
    held_pi = api.post(URL, {"body": "Write to me at jane@example.org"}).json()["id"]
    api.post(URL, {"body": "Another calm one."})
    # Approve the held one, remove the first published one, report the third into the queue.
    moderator.post(f"/moderation/comments/{held_pi}/decide/", {"action": "approve"})
    moderator.post(f"/moderation/comments/{published}/decide/", {"action": "reject", "reason": "off_topic"})
    third = Comment.objects.get(body="Another calm one.")
    reporter = make_participant()
    api.post(f"/api/v1/comments/{third.pk}/reports", {"reason": "spam"}, key=reporter.key)
    moderator.post(f"/moderation/comments/{third.pk}/decide/", {"action": "spam"})
    figures = month_figures(api.client)
    assert figures["published"] == (3, {})  # two at once, one after review
    assert figures["held"] == (2, {"personal_info": 1, "reports": 1})
    assert figures["removed"] == (2, {"off_topic": 1, "spam": 1})
    assert figures["rejected"] == (0, {})
    assert Report.objects.count() == 1


def test_rejecting_a_held_comment_counts_as_rejected_not_removed(api, debate, moderator):
    held = api.post(URL, {"body": "Mail me: jane@example.org"}).json()["id"]
    moderator.post(f"/moderation/comments/{held}/decide/", {"action": "reject", "reason": "personal_info"})
    assert month_figures(api.client)["rejected"] == (1, {"personal_info": 1})


def test_the_counts_survive_the_comments_erasure(api, debate, moderator):
    created = api.post(URL, {"body": "Here today."}).json()
    api.delete(f"/api/v1/comments/{created['id']}", key=created["participant_key"])
    assert not Comment.objects.exists()
    assert month_figures(api.client)["published"] == (1, {})


def test_the_page_shows_counts_and_nothing_personal(anon, api, debate, moderator):
    held = api.post(URL, {"body": "Secret text by Marianne, call 0612345678", "author_name": "Marianne"}).json()
    moderator.post(f"/moderation/comments/{held['id']}/decide/", {"action": "reject", "reason": "personal_info"})
    response = anon.get("/transparency/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert timezone.now().strftime("%B %Y") in html
    assert "Personal information: 1" in html
    assert "Marianne" not in html
    assert "0612345678" not in html
    fields = {f.name for f in TransparencyTally._meta.get_fields()}
    assert fields == {"id", "month", "outcome", "reason", "count"}


def test_an_empty_report_says_so(anon, db):
    assert "Nothing to report yet." in anon.get("/transparency/").content.decode()


def test_restoring_a_reported_comment_does_not_count_it_published_twice(
    api, debate, moderator, make_participant, settings
):
    settings.COMMENT_REPORTS_TO_HIDE = 1
    created = api.post(URL, {"body": "Unpopular but fair."}).json()["id"]
    api.post(f"/api/v1/comments/{created}/reports", {"reason": "abuse"}, key=make_participant().key)
    assert Comment.objects.get(pk=created).status == Comment.Status.PENDING
    moderator.post(f"/moderation/comments/{created}/decide/", {"action": "approve"})
    figures = month_figures(api.client)
    assert figures["published"] == (1, {})
    assert figures["held"] == (1, {"reports": 1})


def test_a_tally_counts_each_reason_once_whether_its_row_exists_or_not(db):
    TransparencyTally.objects.create(month=month_of(), outcome="held", reason="toxicity", count=5)
    tally("held", ["", "toxicity", "spam", "toxicity"])
    counts = dict(TransparencyTally.objects.values_list("reason", "count"))
    assert counts == {"": 1, "toxicity": 6, "spam": 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_tallies_of_new_rows_all_count():
    """Eight threads count 200 comments held for three reasons in a month with no
    rows yet: whoever creates a row first, every event counts under each reason
    (on PostgreSQL in CI the creations really race)."""

    def count_one():
        try:
            tally("held", ["", "toxicity", "spam"], when=datetime.datetime(2031, 5, 17, tzinfo=datetime.UTC))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: count_one(), range(200)))
    counts = dict(TransparencyTally.objects.filter(month=datetime.date(2031, 5, 1)).values_list("reason", "count"))
    assert counts == {"": 200, "toxicity": 200, "spam": 200}
