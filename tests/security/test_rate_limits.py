"""Rate limits hold: a thousand posts store no more than the limit and get 429 with
Retry-After; a forged X-Forwarded-For does not get around them; another client is
unaffected; concurrent requests cannot slip past a counter."""

import re
import threading
import time
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client

from forum.debates.models import Comment
from forum.lib import ratelimit

SLUG = "clearview-ai-cnil-fine"
URL = f"/api/v1/debates/{SLUG}/comments"


def _post(client, i, **extra):
    return client.post(URL, {"body": f"Post number {i}"}, content_type="application/json", **extra)


def _assert_refused(response):
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response.json()["error"] == "rate_limited"


def _windows(started: float, ended: float, seconds: int) -> int:
    """How many fixed windows of this length a run from ``started`` to ``ended`` touched."""
    return int(ended // seconds) - int(started // seconds) + 1


def test_a_thousand_posts_with_one_key_store_no_more_than_the_limit(debate, make_participant, settings):
    settings.RATE_LIMIT_COMMENTS = "5/60,30/3600"
    client = Client(headers={"X-Participant-Key": make_participant().key})
    started = time.time()
    answers = [_post(client, i) for i in range(1000)]
    ended = time.time()
    assert [r.status_code for r in answers[:5]] == [HTTPStatus.CREATED] * 5
    refused = [r for r in answers if r.status_code != HTTPStatus.CREATED]
    for response in refused:
        _assert_refused(response)
    # Fixed windows: a run that crosses into the next minute may post 5 more there.
    assert Comment.objects.count() == 1000 - len(refused)
    assert Comment.objects.count() <= min(5 * _windows(started, ended, 60), 30 * _windows(started, ended, 3600))
    # Someone else, on another network, posts as usual.
    assert _post(Client(REMOTE_ADDR="198.51.100.9"), 0).status_code == HTTPStatus.CREATED


def test_a_thousand_posts_that_throw_the_key_away_stop_at_the_network_limit(debate, settings):
    settings.RATE_LIMIT_COMMENTS_NETWORK = "30/60,300/3600"
    client = Client()  # the API reads the key from a header this client never sends
    started = time.time()
    answers = [_post(client, i).status_code for i in range(1000)]
    ended = time.time()
    assert set(answers) == {HTTPStatus.CREATED, HTTPStatus.TOO_MANY_REQUESTS}
    assert answers[:30] == [HTTPStatus.CREATED] * 30
    assert Comment.objects.count() == answers.count(HTTPStatus.CREATED)
    assert Comment.objects.count() <= 30 * _windows(started, ended, 60)
    assert _post(Client(REMOTE_ADDR="198.51.100.9"), 0).status_code == HTTPStatus.CREATED


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_does_not_get_around_the_limits(debate, settings, proxies):
    settings.TRUSTED_PROXIES = proxies
    settings.RATE_LIMIT_COMMENTS_NETWORK = "10/60"
    # With no trusted proxy the client connects directly; with one, our proxy
    # (10.0.0.1) appends the address it saw after whatever the client wrote.
    client = Client(REMOTE_ADDR="10.0.0.1" if proxies else "203.0.113.7")
    answers = []
    started = time.time()
    for i in range(100):
        forged = f"{i % 250}.{i}.1.{i}"
        chain = f"{forged}, 203.0.113.7" if proxies else forged
        answers.append(_post(client, i, HTTP_X_FORWARDED_FOR=chain).status_code)
    # Fixed windows: a run that straddles a minute boundary may see two of them.
    assert 10 <= answers.count(HTTPStatus.CREATED) <= 10 * _windows(started, time.time(), 60)
    # A second client on another network is not affected.
    if proxies:
        second = _post(client, 0, HTTP_X_FORWARDED_FOR="198.51.100.9")
    else:
        second = _post(Client(REMOTE_ADDR="198.51.100.9"), 0)
    assert second.status_code == HTTPStatus.CREATED


def test_the_html_form_is_held_to_the_same_limits_with_retry_after(debate, settings):
    settings.FORM_MIN_SECONDS = 0
    settings.VOTE_MIN_SECONDS = 0
    settings.RATE_LIMIT_COMMENTS = "5/60"
    reader = Client()
    html = reader.get("/").content.decode()
    started = re.search(r'name="started" value="([^"]+)"', html).group(1)
    statuses = []
    for i in range(40):
        response = reader.post(f"/debates/{SLUG}/comments/", {"body": f"Form post {i}", "started": started})
        statuses.append(response.status_code)
    assert statuses.count(HTTPStatus.FOUND) == 5
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert "Form post 39" in response.content.decode()  # the text comes back with the refusal
    assert Comment.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_slip_past_a_counter():
    allowed = []
    barrier = threading.Barrier(16)

    def client():
        barrier.wait()
        try:
            for _ in range(5):
                allowed.append(ratelimit.hit("race", "one-client", "10/60") == 0)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 10
