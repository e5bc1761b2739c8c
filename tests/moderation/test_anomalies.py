"""Bursts of ballots from one network hash, and voiding them."""

import datetime
from http import HTTPStatus

from django.test import Client
from django.utils import timezone

from forum.debates.models import Ballot, DailyTally
from forum.moderation.models import AuditEntry


def vote_from(address, debate, option, n):
    client = Client(REMOTE_ADDR=address)
    for _ in range(n):
        response = client.post(
            f"/api/v1/debates/{debate.slug}/vote", {"option": option}, content_type="application/json"
        )
        assert response.status_code == HTTPStatus.OK


def results(debate):
    return {o["key"]: o["votes"] for o in Client().get(f"/api/v1/debates/{debate.slug}/results").json()["options"]}


def test_a_burst_from_one_network_shows_with_its_split(moderator, debate, settings):
    settings.ANOMALY_BURST_BALLOTS = 20
    vote_from("203.0.113.5", debate, "useful", 22)
    vote_from("198.51.100.9", debate, "invasion", 3)
    html = moderator.get("/moderation/anomalies/").content.decode()
    assert "Void 22 ballots" in html
    assert "A useful, acceptable service for law enforcement: 22" in html
    assert "Void 3 ballots" not in html
    assert "203.0.113" not in html  # only the keyed hash, never the address


def test_voiding_a_burst_removes_its_ballots_and_the_results_follow_at_once(moderator, debate, settings):
    settings.ANOMALY_BURST_BALLOTS = 20
    Debate = type(debate)
    Debate.objects.filter(pk=debate.pk).update(results_visibility=Debate.ResultsVisibility.ALWAYS)
    vote_from("203.0.113.5", debate, "useful", 21)
    vote_from("198.51.100.9", debate, "invasion", 4)
    assert results(debate) == {"useful": 21, "invasion": 4, "unsure": 0}
    burst = Ballot.objects.filter(option__key="useful").first()
    hour = burst.cast_at.replace(minute=0, second=0, microsecond=0)
    response = moderator.post(
        "/moderation/anomalies/void/",
        {
            "debate": debate.pk,
            "network_hash": burst.network_hash,
            "start": hour.isoformat(),
            "reason": " Stuffing\x01\x7f ",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert results(debate) == {"useful": 0, "invasion": 4, "unsure": 0}
    # The daily tallies still add up to the current count.
    assert sum(t.added - t.removed for t in DailyTally.objects.filter(option__key="useful")) == 0
    entry = AuditEntry.objects.get(action="ballots.void")
    assert entry.details["count"] == 21
    assert entry.reason == "Stuffing"
    assert "Voided 21 ballots" in moderator.get("/moderation/anomalies/").content.decode()


def test_voiding_an_empty_window_says_so(moderator, debate):
    start = (timezone.now() - datetime.timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    response = moderator.post(
        "/moderation/anomalies/void/",
        {"debate": debate.pk, "network_hash": "ab" * 16, "start": start.isoformat()},
        follow=True,
    )
    assert "already gone" in response.content.decode()


def test_a_forged_void_form_is_refused_cleanly(moderator, debate):
    response = moderator.post(
        "/moderation/anomalies/void/", {"debate": debate.pk, "network_hash": "' or 1=1", "start": "x"}, follow=True
    )
    assert response.status_code == HTTPStatus.OK
    assert "not valid" in response.content.decode()
