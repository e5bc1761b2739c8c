import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Comment, Debate, PollOption
from forum.debates.seed import CLEARVIEW_SLUG, ensure_clearview_debate
from tests.conftest import app_queries


def test_home_shows_summary_credit_question_and_every_option(anon, debate):
    response = anon.get("/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Clearview AI fined €20m in France" in html
    assert "CNIL" in html
    assert "20 billion images" in html
    assert debate.source_url in html
    assert "Naked Security (Sophos)" in html
    assert debate.question in html
    for option in debate.options.all():
        assert option.label in html
    assert 'id="comments"' in html


def test_debate_has_a_stable_url_by_slug(anon, debate):
    assert anon.get(f"/debates/{CLEARVIEW_SLUG}/").status_code == HTTPStatus.OK
    assert anon.get("/debates/no-such-debate/").status_code == HTTPStatus.NOT_FOUND


def test_loading_the_debate_twice_changes_nothing(db):
    first, created = ensure_clearview_debate()
    PollOption.objects.filter(debate=first, key="unsure").update(label="Edited by a moderator")
    second, created_again = ensure_clearview_debate()
    assert created
    assert not created_again
    assert first.pk == second.pk
    assert Debate.objects.count() == 1
    assert PollOption.objects.get(debate=first, key="unsure").label == "Edited by a moderator"


def test_summary_markdown_cannot_inject_html(anon, debate):
    debate.summary = "Hello <script>alert(1)</script> [x](javascript:alert(1))"
    debate.save()
    html = anon.get("/").content.decode()
    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html


def test_page_makes_no_third_party_request(anon, debate):
    html = anon.get("/").content.decode()
    for attribute in ('src="http', "src='http", 'href="//', "@import"):
        assert attribute not in html
    # Stylesheets and scripts come from our own /static/.
    assert '<link rel="stylesheet" href="/static/' in html


def _comments(debate, author, n):
    made = Comment.objects.bulk_create(
        Comment(debate=debate, participant=author, body=f"c{i}", body_html=f"<p>c{i}</p>") for i in range(n)
    )
    for c in made:
        c.thread = c
    Comment.objects.bulk_update(made, ["thread"])
    Comment.objects.bulk_create(
        Comment(debate=debate, participant=author, parent=c, thread=c, depth=1, body="r", body_html="<p>r</p>")
        for c in made
    )


@pytest.mark.parametrize("comments", [1, 300])
def test_anonymous_page_is_served_from_cache_in_one_query(anon, debate, make_participant, comments):
    _comments(debate, make_participant().participant, comments)
    anon.get("/")  # renders and caches the page for readers without a key
    with CaptureQueriesContext(connection) as ctx:
        response = anon.get("/")
    assert response.status_code == HTTPStatus.OK
    # the featured debate's head (id, slug, version); the page comes from the cache
    assert len(app_queries(ctx)) == 1, app_queries(ctx)
    assert response.content.count(b"<p>r</p>") == min(comments, 50)


@pytest.mark.parametrize("comments", [1, 300])
def test_participant_page_query_count_does_not_grow(reader, debate, make_participant, comments):
    _comments(debate, make_participant().participant, comments)
    reader.get("/")  # warm the pepper, results and ranking caches
    with CaptureQueriesContext(connection) as ctx:
        assert reader.get("/").status_code == HTTPStatus.OK
    # featured debate, options, participant by key hash, ballot, active ban,
    # top-level count, page of comments, replies of the page, likes by the
    # viewer on the page, visible count
    assert len(app_queries(ctx)) == 10, app_queries(ctx)


def test_cached_page_gets_fresh_per_request_tokens(anon, debate):
    first = anon.get("/").content.decode()
    second = Client().get("/").content.decode()
    assert "@@" not in first
    assert "@@" not in second
    token = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', first).group(1)
    assert token not in second
    assert 'name="csrfmiddlewaretoken"' in second


def test_a_new_comment_shows_on_the_next_anonymous_request(anon, reader, debate, no_rate_limits):
    anon.get("/")
    reader.post(f"/debates/{debate.slug}/comments/", {"body": "Fresh off the press"})
    assert "Fresh off the press" in anon.get("/").content.decode()


def test_personal_state_never_comes_from_the_anonymous_cache(anon, reader, make_participant, debate, no_rate_limits):
    reader.post(f"/debates/{debate.slug}/vote/", {"option": "useful"})
    reader.post(f"/debates/{debate.slug}/comments/", {"body": "Mine, awaiting review", "author_name": "Kim"})
    other = make_participant()
    anon_html = anon.get("/").content.decode()
    other_html = other.get("/").content.decode()
    reader_html = reader.get("/").content.decode()
    assert "Change my vote" in reader_html
    for html in (anon_html, other_html):
        assert "Change my vote" not in html
        assert reader.key not in html


def test_page_cache_off_renders_every_time(anon, debate, settings):
    settings.PAGE_CACHE = False
    anon.get("/")
    with CaptureQueriesContext(connection) as ctx:
        anon.get("/")
    assert len(app_queries(ctx)) > 2
