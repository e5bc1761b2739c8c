"""Redis goes away: pages still read, writes still work (rate limits counted per
process meanwhile), moderator login fails closed with a clear page, nothing
answers 500, and Redis is used again as soon as it is back, without a restart."""

from http import HTTPStatus

import pytest
from django.test import Client

from forum.debates.models import Ballot, Comment

from .conftest import form_fields

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "clearview-ai-cnil-fine"


def _vote(client, option="unsure"):
    return client.post(f"/api/v1/debates/{SLUG}/vote", {"option": option}, content_type="application/json")


def _comment(client, body):
    return client.post(f"/api/v1/debates/{SLUG}/comments", {"body": body}, content_type="application/json")


def test_pages_read_without_redis(debate, make_participant, redis_port):
    voter = make_participant()
    option = debate.options.first()
    Ballot.objects.create(debate=debate, participant=voter.participant, option=option, first_option=option)
    for client, path in [
        (Client(), "/"),
        (Client(), f"/debates/{SLUG}/"),
        (voter, "/"),
        (voter, f"/debates/{SLUG}/results/"),
        (Client(), f"/api/v1/debates/{SLUG}/comments"),
        (Client(headers={"X-Participant-Key": voter.key}), f"/api/v1/debates/{SLUG}/results"),
    ]:
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK, (path, response.status_code)
    assert b"Results so far" in voter.get("/").content


def test_writes_work_without_redis_and_redis_is_used_again_when_it_returns(debate, redis_port, settings):
    _, start_redis = redis_port
    settings.FORM_MIN_SECONDS = 0
    settings.VOTE_MIN_SECONDS = 0
    assert _vote(Client()).status_code == HTTPStatus.OK
    assert _comment(Client(), "Posted while Redis was away.").status_code == HTTPStatus.CREATED
    page = Client()
    fields = form_fields(page.get("/").content.decode(), "/vote/")
    assert page.post(f"/debates/{SLUG}/vote/", {**fields, "option": "useful"}).status_code == HTTPStatus.FOUND
    fields = form_fields(page.get("/").content.decode(), "/comments/")
    posted = page.post(f"/debates/{SLUG}/comments/", {**fields, "body": "Also from the page."})
    assert posted.status_code == HTTPStatus.FOUND
    assert Comment.objects.count() == 2
    health = Client().get("/healthz")
    assert health.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert health.json()["checks"]["cache"].startswith("error")

    start_redis()
    assert Client().get("/healthz").status_code == HTTPStatus.OK
    assert _comment(Client(), "Posted after Redis came back.").status_code == HTTPStatus.CREATED


def test_rate_limits_still_hold_per_process_without_redis(debate, make_participant, redis_port, settings):
    settings.RATE_LIMIT_COMMENTS = "3/60"
    author = make_participant()
    api = Client(headers={"X-Participant-Key": author.key})
    answers = [_comment(api, f"Comment {i} while Redis is away.").status_code for i in range(6)]
    assert answers == [HTTPStatus.CREATED] * 3 + [HTTPStatus.TOO_MANY_REQUESTS] * 3


def test_moderator_login_fails_closed_with_a_clear_page_without_redis(db, redis_port):
    response = Client().post("/accounts/login/", {"login": "mod@example.org", "password": "whatever-it-is"})
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert b"Traceback" not in response.content
    assert b"Please try again in a moment." in response.content
