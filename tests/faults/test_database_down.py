"""The database goes away: readers get the site's 503 page, authors get their text back,
and the comment they send again after recovery is posted once."""

from http import HTTPStatus

import pytest
from django.test import Client

from forum.debates.models import Comment

from .conftest import database_down, form_fields

pytestmark = pytest.mark.django_db(transaction=True)

TRACE = ("Traceback", "OperationalError", 'File "', "sqlite3", "psycopg")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "html"),
        ("/debates/clearview-ai-cnil-fine/", "html"),
        ("/debates/clearview-ai-cnil-fine/results/", "html"),
        ("/api/v1/debates", "json"),
        ("/api/v1/debates/clearview-ai-cnil-fine/comments", "json"),
    ],
)
def test_pages_answer_503_with_the_site_page_and_no_trace(debate, path, kind):
    reader = Client()
    with database_down():
        response = reader.get(path)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"]
    body = response.content.decode()
    assert not any(word in body for word in TRACE)
    if kind == "json":
        assert response.json()["error"] == "unavailable"
    else:
        assert "Temporarily unavailable" in body
        assert "Back to the debate" in body
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    # Recovery needs no restart: the next request reconnects.
    assert reader.get(path).status_code == HTTPStatus.OK


def test_a_comment_sent_while_the_database_is_down_comes_back_and_posts_once_after(debate, settings):
    settings.FORM_MIN_SECONDS = 0
    settings.VOTE_MIN_SECONDS = 0
    author = Client()
    page = author.get("/").content.decode()
    fields = form_fields(page, "/comments/")
    fields.update(body="Sent during the outage: <b>keep me</b> & my\nsecond line.", author_name="Patient")

    with database_down():
        failed = author.post("/debates/clearview-ai-cnil-fine/comments/", fields)
    assert failed.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    html = failed.content.decode()
    assert not any(word in html for word in TRACE)
    handed_back = form_fields(html, "/comments/")
    assert handed_back["body"] == fields["body"]
    assert handed_back["author_name"] == "Patient"
    assert handed_back["idempotency_key"] == fields["idempotency_key"]
    assert not Comment.objects.exists()

    # After recovery the author presses "Send again", then again by mistake.
    first = author.post("/debates/clearview-ai-cnil-fine/comments/", handed_back)
    second = author.post("/debates/clearview-ai-cnil-fine/comments/", handed_back)
    assert first.status_code == HTTPStatus.FOUND
    assert second.status_code == HTTPStatus.FOUND
    comment = Comment.objects.get()
    assert first["Location"].endswith("#your-key")  # the first post made the author's key
    assert second["Location"].endswith(f"#c{comment.pk}")
    assert comment.body == "Sent during the outage: <b>keep me</b> & my\nsecond line."
    assert comment.author_name == "Patient"


def test_an_api_comment_retried_with_its_idempotency_key_after_an_outage_posts_once(debate, make_participant):
    author = make_participant()
    api = Client(headers={"X-Participant-Key": author.key})
    payload = {"body": "Retried by a script.", "idempotency_key": "retry-1"}
    url = "/api/v1/debates/clearview-ai-cnil-fine/comments"
    with database_down():
        failed = api.post(url, payload, content_type="application/json")
    assert failed.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert failed.json()["error"] == "unavailable"
    first = api.post(url, payload, content_type="application/json")
    second = api.post(url, payload, content_type="application/json")
    assert first.status_code == second.status_code == HTTPStatus.CREATED
    assert first.json()["id"] == second.json()["id"]
    assert Comment.objects.count() == 1


def test_an_outage_that_surfaces_outside_a_view_still_answers_503(rf):
    # A middleware (sessions, say) can hit the database before any view runs;
    # Django then calls the 500 handler, which must still say "unavailable".
    from django.db import OperationalError

    from forum.lib.errors import server_error

    try:
        raise OperationalError("could not connect")
    except OperationalError:
        response = server_error(rf.get("/api/v1/debates"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "30"
