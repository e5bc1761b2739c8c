"""What readers without a key share from the cache, and what they never do.

The debate page and the comments API are rendered once per version of the
debate for every reader without a key, and kept by each process. These tests
show that nothing personal comes out of that copy, and that every kind of
change shows on the very next request, through the same process's copy.
"""

import json
import re
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Comment, Debate
from forum.debates.privacy import participant_erase
from forum.debates.services import comment_create, comment_delete, comment_edit, participant_create, vote_cast
from forum.moderation.services import comment_decide
from tests.conftest import app_queries

API = "/api/v1/debates/clearview-ai-cnil-fine/comments"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page(client=None) -> str:
    response = (client or Client()).get("/")
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def api_bodies(key=None) -> list[str]:
    """The text of every comment and reply the comments API returns."""
    headers = {"HTTP_X_PARTICIPANT_KEY": key} if key else {}
    response = Client().get(API, **headers)
    assert response.status_code == HTTPStatus.OK
    bodies = []

    def walk(items):
        for item in items:
            bodies.append(item["body_html"])
            walk(item["replies"])

    walk(response.json()["results"])
    return bodies


def post(debate, body, participant=None):
    return comment_create(debate=debate, participant=participant, body=body, network_hash="test")


def warm():
    """Render and keep the anonymous page and comments for the current version."""
    page()
    api_bodies()


# ------------------------------------------------------------ nothing personal


def test_two_readers_get_their_own_csrf_token_and_a_token_from_another_page_is_refused(debate, no_rate_limits):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token = CSRF.search(page(first)).group(1)
    second_token = CSRF.search(page(second)).group(1)
    assert first_token != second_token
    body = {"body": "Mine to post", "website": "", "started": "", "idempotency_key": ""}
    refused = first.post(f"/debates/{debate.slug}/comments/", {**body, "csrfmiddlewaretoken": second_token})
    assert refused.status_code == HTTPStatus.FORBIDDEN
    posted = first.post(f"/debates/{debate.slug}/comments/", {**body, "csrfmiddlewaretoken": first_token})
    assert posted.status_code == HTTPStatus.FOUND


def test_each_anonymous_page_carries_fresh_form_tokens(debate):
    tokens = [re.findall(r'name="(?:started|idempotency_key)" value="([^"]+)"', page()) for _ in range(2)]
    assert tokens[0]
    assert not set(tokens[0]) & set(tokens[1])


def test_a_participants_vote_pending_comment_and_key_never_reach_another_reader(
    debate, make_participant, no_rate_limits
):
    Debate.objects.filter(pk=debate.pk).update(premoderation=Debate.Premoderation.ALL)
    warm()
    mine = make_participant()
    other = make_participant()
    mine.post(f"/debates/{debate.slug}/vote/", {"option": "useful"})
    mine.post(f"/debates/{debate.slug}/comments/", {"body": "Held for a moderator, mine only", "author_name": "Kim"})
    assert Comment.objects.get().status == Comment.Status.PENDING
    mine_html = page(mine)
    assert "Change my vote" in mine_html
    assert "Held for a moderator, mine only" in mine_html
    assert any("mine only" in body for body in api_bodies(mine.key))
    for html in (page(), page(other), page(mine.__class__())):
        assert "Change my vote" not in html
        assert "Held for a moderator" not in html
        assert mine.key not in html
    for key in (None, other.key):
        assert not any("mine only" in body for body in api_bodies(key))
    # The participant's own view never lands in the shared copy either.
    assert "mine only" not in page()


def test_the_cached_comments_api_answers_the_same_json_as_a_fresh_render(debate):
    post(debate, "Once for all readers")
    cached = Client().get(API)
    assert cached["Content-Type"] == "application/json; charset=utf-8"
    # An unknown key is a reader without a key, served through the uncached path.
    fresh = Client().get(API, HTTP_X_PARTICIPANT_KEY="not-a-key")
    assert json.loads(cached.content) == json.loads(fresh.content)
    assert Client().get(API).content == cached.content


@pytest.mark.parametrize(
    ("path", "first", "then"),
    [
        ("/", "", ["?stance=made-up", "?stance=%3Cscript%3E", "?page=99999999", "?sort=nonsense&page=0"]),
        ("/", "?stance=invasion", ["?stance=invasion&page=4000"]),
        (API, "", ["?stance=made-up", "?page=99999999", "?sort=nonsense&page=-5"]),
    ],
)
def test_made_up_filters_and_pages_share_the_copy_of_the_page_they_show(debate, path, first, then):
    """An unknown stance filters nothing and a page past the last is the last:
    they are kept as that page, not as a copy each, which would fill the cache."""
    post(debate, "One thread, one page")
    reference = Client().get(path + first).content
    for query in then:
        with CaptureQueriesContext(connection) as ctx:
            response = Client().get(path + query)
        # a hit: the debate's key and, where a stance is asked, the poll's answers it is checked against
        assert len(app_queries(ctx)) == (2 if "stance=" in query else 1), (query, app_queries(ctx))
        if path == API:
            assert response.content == reference
    keyed = Client().get(API + "?stance=made-up", HTTP_X_PARTICIPANT_KEY=participant_create()[1])
    assert [c["body_html"] for c in keyed.json()["results"]] == ["<p>One thread, one page</p>"]


def test_a_shared_page_rendered_for_made_up_values_carries_none_of_them(debate):
    """The first reader to ask for a page renders the copy every reader gets: its forms'
    way back must be the page as read, not the values that reader typed."""
    post(debate, "One thread, one page")
    Client().get("/?stance=made-up&page=99999999")
    html = page()
    assert "made-up" not in html
    assert "99999999" not in html


def test_an_unknown_debate_is_404_on_the_cached_paths(debate):
    assert Client().get("/debates/no-such-debate/").status_code == HTTPStatus.NOT_FOUND
    response = Client().get("/api/v1/debates/no-such-debate/comments")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"] == "not_found"


def test_no_debate_at_all_is_404_at_the_home_page(db):
    assert Client().get("/").status_code == HTTPStatus.NOT_FOUND


# ------------------------------------------------ changes show on the next request


def test_a_new_published_comment_shows_on_the_next_request(debate):
    warm()
    post(debate, "Fresh off the press")
    assert "Fresh off the press" in page()
    assert any("Fresh off the press" in body for body in api_bodies())


def test_a_vote_shows_in_the_results_on_the_next_request(debate):
    Debate.objects.filter(pk=debate.pk).update(results_visibility=Debate.ResultsVisibility.ALWAYS)
    assert re.search(r"Total</th><td class=\"num\">0<", page())
    debate.refresh_from_db()
    vote_cast(debate=debate, participant=None, option_key="invasion", network_hash="test")
    assert re.search(r"Total</th><td class=\"num\">1<", page())


def test_an_edit_shows_on_the_next_request(debate):
    created = post(debate, "Before the edit")
    warm()
    comment_edit(comment_id=created.comment.pk, participant=created.participant, body="After the edit")
    assert "After the edit" in page()
    assert "Before the edit" not in page()
    assert any("After the edit" in body for body in api_bodies())


def test_a_deletion_shows_on_the_next_request(debate):
    created = post(debate, "Soon to be deleted")
    warm()
    comment_delete(comment_id=created.comment.pk, participant=created.participant)
    assert "Soon to be deleted" not in page()
    assert not any("Soon to be deleted" in body for body in api_bodies())


def test_an_erasure_shows_on_the_next_request(debate):
    created = post(debate, "Erase everything about me")
    warm()
    participant_erase(created.participant)
    assert "Erase everything about me" not in page()
    assert not any("Erase everything" in body for body in api_bodies())


@pytest.mark.parametrize(
    ("before", "decision", "shown"),
    [(Comment.Status.PENDING, "approve", True), (Comment.Status.PUBLISHED, "reject", False)],
)
def test_a_moderation_decision_shows_on_the_next_request(debate, before, decision, shown):
    participant, _ = participant_create()
    comment = Comment.objects.create(
        debate=debate, participant=participant, body="Up for review", body_html="<p>Up for review</p>", status=before
    )
    warm()
    moderator = get_user_model().objects.create_user(username="mod@example.org", password="x" * 16)
    comment_decide(comment_id=comment.pk, moderator=moderator, decision=decision, reason="off_topic")
    assert ("Up for review" in page()) is shown
    assert any("Up for review" in body for body in api_bodies()) is shown


def test_a_poll_that_closes_shows_as_closed_without_a_new_version(debate):
    assert 'action="/debates/clearview-ai-cnil-fine/vote/#poll"' in page()
    # The closing time passes: the row is as it was, with the same version.
    Debate.objects.filter(pk=debate.pk).update(poll_closes_at=F("created_at"))
    assert Debate.objects.get(pk=debate.pk).version == debate.version
    assert 'action="/debates/clearview-ai-cnil-fine/vote/#poll"' not in page()
