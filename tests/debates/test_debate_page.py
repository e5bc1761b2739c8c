import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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


def test_summary_html_is_rendered_when_the_summary_is_saved(anon, debate):
    debate.summary = "A **new** summary"
    debate.save(update_fields=["summary"])
    debate.refresh_from_db()
    assert debate.summary_html == "<p>A <strong>new</strong> summary</p>"
    assert "A <strong>new</strong> summary" in anon.get("/").content.decode()


def test_the_site_has_its_own_icon(anon, debate):
    icon = re.search(r'<link rel="icon" href="(/static/forum/favicon[^"]*\.svg)"', anon.get("/").content.decode())
    assert icon
    response = anon.get("/favicon.ico")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == icon.group(1)


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
    # the viewer's held comments (the other counts are on the debate row), page
    # of comments with their replies, likes by the viewer on the page, the name
    # the viewer last signed with (for the forms)
    assert len(app_queries(ctx)) == 9, app_queries(ctx)


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


@pytest.mark.parametrize("status", list(Comment.Status))
def test_a_comment_read_is_visible_exactly_when_visible_to_would_select_it(debate, make_participant, status):
    author, other = make_participant().participant, make_participant().participant
    comment = Comment.objects.create(debate=debate, participant=author, body="x", body_html="<p>x</p>", status=status)
    for viewer in (None, author, other):
        selected = Comment.objects.filter(pk=comment.pk).visible_to(viewer).exists()
        assert comment.is_visible_to(viewer) is selected, (status, viewer)


def test_threads_keep_their_order_and_replies_without_a_thread_link(anon, debate, make_participant):
    """Top-level comments are found by id, replies by thread: a top-level row
    whose thread was never set (an import) is still listed, in order."""
    author = make_participant().participant
    now = timezone.now()
    a, b, _ = Comment.objects.bulk_create(
        Comment(
            debate=debate, participant=author, body=n, body_html=f"<p>{n}</p>", created_at=now - timedelta(minutes=m)
        )
        for n, m in (("first", 30), ("second", 20), ("third", 10))
    )
    Comment.objects.create(
        debate=debate, participant=author, parent=a, thread=a, depth=1, body="re", body_html="<p>reply to first</p>"
    )
    Comment.objects.filter(pk=b.pk).update(like_count=5)
    html = anon.get("/?sort=oldest").content.decode()
    assert html.index("<p>first</p>") < html.index("<p>reply to first</p>") < html.index("<p>second</p>")
    assert html.index("<p>second</p>") < html.index("<p>third</p>")
    newest = anon.get("/").content.decode()
    assert newest.index("<p>third</p>") < newest.index("<p>second</p>") < newest.index("<p>first</p>")
    top = anon.get("/?sort=top").content.decode()
    assert top.index("<p>second</p>") < top.index("<p>third</p>") < top.index("<p>first</p>")


def test_a_debate_deleted_between_its_key_and_its_render_is_a_404_not_a_500(debate):
    from django.http import Http404

    from forum.debates.reading import complete, debate_read

    keyed = debate_read(debate.slug, keyed=True)
    Debate.objects.filter(pk=debate.pk).delete()
    with pytest.raises(Http404):
        complete(keyed)


def test_a_stance_filter_with_no_thread_says_replies_are_under_their_threads(anon, debate):
    page = anon.get("/?stance=useful").content.decode()
    assert "No thread started from this side yet (replies show under the thread they answer)." in page
    assert "No comments yet. Be the first." in anon.get("/").content.decode()
