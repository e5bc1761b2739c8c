"""Moderators edit the poll: wording and options before the first vote only;
opening, closing (now or at a set time) and result visibility at any time."""

import datetime
from http import HTTPStatus

from django.utils import timezone

from forum.debates.models import Debate, PollOption
from forum.moderation.models import AuditEntry

VOTE = "/api/v1/debates/clearview-ai-cnil-fine/vote"


def form(debate, **changes):
    data = {"question": debate.question, "poll_open": "on", "poll_closes_at": "", "results_visibility": "after_vote"}
    for i, option in enumerate(debate.options.all()):
        data[f"key-{i}"], data[f"label-{i}"] = option.key, option.label
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def url(debate):
    return f"/moderation/debates/{debate.pk}/poll/"


def test_before_the_first_vote_question_and_options_can_change(moderator, debate):
    response = moderator.post(
        url(debate),
        form(debate, question="Is Clearview acceptable?", **{"key-3": "other", "label-3": "Something else"}),
    )
    assert response.status_code == HTTPStatus.FOUND
    debate.refresh_from_db()
    assert debate.question == "Is Clearview acceptable?"
    assert list(debate.options.values_list("key", flat=True)) == ["useful", "invasion", "unsure", "other"]
    assert AuditEntry.objects.get(action="debate.poll").actor_label


def test_after_the_first_vote_the_wording_is_fixed_but_closing_still_works(moderator, api, debate):
    assert 'id="key-5"' in moderator.get(url(debate)).content.decode()  # rows to add options to
    api.post(VOTE, {"option": "useful"})
    page = moderator.get(url(debate)).content.decode()
    assert 'id="key-2" value="unsure" maxlength="40"' in page
    assert 'id="key-3"' not in page  # no empty row offered when none can be filled
    response = moderator.post(url(debate), form(debate, question="A different question"))
    assert response.status_code == HTTPStatus.CONFLICT
    assert "already voted" in response.content.decode()
    assert "A different question" in response.content.decode()  # the text comes back
    closes = timezone.now() + datetime.timedelta(days=2)
    response = moderator.post(
        url(debate), form(debate, poll_open="on", poll_closes_at=closes.strftime("%Y-%m-%dT%H:%M"))
    )
    assert response.status_code == HTTPStatus.FOUND
    debate.refresh_from_db()
    assert debate.poll_closes_at is not None
    assert debate.is_poll_open()
    assert not debate.is_poll_open(now=closes + datetime.timedelta(minutes=1))
    moderator.post(url(debate), form(debate, poll_open=None))
    assert api.post(VOTE, {"option": "useful"}).status_code == HTTPStatus.FORBIDDEN


def test_options_must_number_2_to_6_with_distinct_keys(moderator, debate):
    one = form(debate, **{"key-1": "", "label-1": "", "key-2": "", "label-2": ""})
    assert moderator.post(url(debate), one).status_code == HTTPStatus.BAD_REQUEST
    twins = form(debate, **{"key-1": "useful"})
    assert "its own key" in moderator.post(url(debate), twins).content.decode()
    assert PollOption.objects.filter(debate=debate).count() == 3


def test_results_visibility_is_set_per_poll(moderator, debate):
    moderator.post(url(debate), form(debate, results_visibility="always"))
    assert Debate.objects.get().results_visibility == "always"


def test_hostile_wording_is_stored_as_text(moderator, anon, debate):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    moderator.post(url(debate), form(debate, question=payload, **{"label-0": payload}))
    html = anon.get("/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_moderators_with_two_factor_reach_the_poll_editor(anon, non_moderator, moderator_without_2fa, debate):
    for client in (anon, non_moderator):
        assert client.get(url(debate)).status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
        assert client.post(url(debate), form(debate, question="Hijacked")).status_code in (
            HTTPStatus.FOUND,
            HTTPStatus.FORBIDDEN,
        )
    assert moderator_without_2fa.get(url(debate)).status_code == HTTPStatus.FOUND
    assert Debate.objects.get().question != "Hijacked"


def test_the_debates_page_links_the_moderator_exports(moderator, debate):
    html = moderator.get("/moderation/debates/").content.decode()
    assert f"/api/v1/debates/{debate.slug}/exports/ballots.csv" in html
    assert f"/api/v1/debates/{debate.slug}/exports/audit.xlsx" in html


def test_a_closing_time_is_utc_unless_it_says_its_offset(moderator, debate):
    moderator.post(url(debate), form(debate, poll_closes_at="2030-12-01T10:00"))
    debate.refresh_from_db()
    assert debate.poll_closes_at == datetime.datetime(2030, 12, 1, 10, 0, tzinfo=datetime.UTC)
    moderator.post(url(debate), form(debate, poll_closes_at="2030-12-01T10:00+05:00"))
    debate.refresh_from_db()
    assert debate.poll_closes_at == datetime.datetime(2030, 12, 1, 5, 0, tzinfo=datetime.UTC)
    refused = moderator.post(url(debate), form(debate, poll_closes_at="9999-12-31T23:59-14:00"))
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "Give the closing time as a date and a time (UTC)." in refused.content.decode()


def test_a_closing_time_already_past_is_refused_with_the_way_to_close_now(moderator, debate):
    refused = moderator.post(url(debate), form(debate, poll_closes_at="2020-01-01T10:00"))
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "That closing time has passed." in refused.content.decode()
    debate.refresh_from_db()
    assert debate.poll_closes_at is None
    assert debate.is_poll_open()
