from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Debate, PollOption
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


@pytest.mark.parametrize("comments", [0, 30])
def test_debate_page_query_count_is_fixed(anon, debate, make_participant, comments):
    from forum.debates.models import Comment

    author = make_participant().participant
    Comment.objects.bulk_create(
        Comment(debate=debate, participant=author, body=f"c{i}", body_html=f"<p>c{i}</p>") for i in range(comments)
    )
    anon.get("/")  # warm the pepper and results caches
    with CaptureQueriesContext(connection) as ctx:
        assert anon.get("/").status_code == HTTPStatus.OK
    # 1 featured debate, 2 its options, 3 top-level count, 4 page of comments,
    # 5 replies of the page (only with comments), 6 visible count
    assert len(app_queries(ctx)) == (6 if comments else 5), app_queries(ctx)
