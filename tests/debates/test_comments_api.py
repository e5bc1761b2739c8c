"""The comments API: every rule of issue 3 through /api/v1."""

import datetime
from html import escape
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.debates.models import Ballot, Comment, CommentRevision, Debate, Like, Participant, Report, WordRule
from forum.debates.services import participant_create
from tests.conftest import app_queries

URL = "/api/v1/debates/clearview-ai-cnil-fine/comments"


@pytest.fixture
def key(db):
    return participant_create()[1]


def post(api, body="A fair point about consent.", key=None, **extra):
    return api.post(URL, {"body": body, **extra}, key=key)


def test_first_comment_creates_a_participant_and_returns_its_key_once(api, debate, no_rate_limits):
    response = post(api)
    assert response.status_code == HTTPStatus.CREATED
    data = response.json()
    assert data["status"] == "published"
    assert len(data["participant_key"]) >= 22  # 192 bits, url-safe base64
    # Only the hash is stored.
    participant = Participant.objects.get()
    assert data["participant_key"] not in participant.key_hash
    second = post(api, "Another thought entirely.", key=data["participant_key"])
    assert second.status_code == HTTPStatus.CREATED
    assert "participant_key" not in second.json() or second.json()["participant_key"] is None
    assert Participant.objects.count() == 1


def test_the_api_ignores_the_cookie(api, debate, reader, no_rate_limits):
    api.client.cookies = reader.cookies
    response = post(api)
    assert response.json()["participant_key"]  # a new participant: the cookie did not count
    assert Participant.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [("", "body"), ("   \n\t ", "body"), ("x" * 5001, "body")],
)
def test_body_must_have_1_to_5000_characters(api, debate, body, field, no_rate_limits):
    response = post(api, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "invalid"
    assert field in response.json()["fields"]
    assert response.json()["message"]


def test_5000_characters_after_trimming_are_accepted(api, debate, no_rate_limits):
    assert post(api, "  " + "y" * 5000 + "  ").status_code == HTTPStatus.CREATED


@pytest.mark.parametrize("name", ["Moderator", "the admin", "SITE staff", "The Debate Room"])
def test_names_that_impersonate_staff_are_refused(api, debate, name, no_rate_limits):
    response = post(api, author_name=name)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["fields"] == {"author_name": "reserved"}


def test_name_defaults_to_anonymous_and_is_limited_to_40(api, debate, no_rate_limits):
    post(api)
    assert Comment.objects.get().author_name == "Anonymous"
    assert post(api, "other", author_name="n" * 41).status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Dave\u202eevil", "Daveevil"),
        ("\u2067\u05d3\u05d5\u05d3\u2069 Cohen", "\u05d3\u05d5\u05d3 Cohen"),  # an isolated Hebrew name
        ("\u200f\u200e", "Anonymous"),
    ],
)
def test_direction_controls_are_taken_out_of_names(api, debate, no_rate_limits, sent, kept):
    """Shown, "Dave\u202eevil" reads "Davelive": a name could pass for another."""
    assert post(api, author_name=sent).status_code == HTTPStatus.CREATED
    assert Comment.objects.get().author_name == kept


def test_markdown_subset_is_rendered_and_html_is_not(api, debate, no_rate_limits):
    body = "*emph* <b>raw</b> [link](https://example.org) ![img](https://example.org/x.png)\n\n> quote\n\n- item"
    post(api, body)
    html = Comment.objects.get().body_html
    assert "<em>emph</em>" in html
    assert "&lt;b&gt;raw&lt;/b&gt;" in html
    assert 'rel="nofollow ugc noopener"' in html
    assert "<img" not in html
    assert "<blockquote>" in html
    assert "<li>item</li>" in html


@pytest.mark.parametrize(
    "body",
    [
        "Intro\n\n" + "> " * 21 + "the quoted point",
        "Intro\n\n" + "\n".join("  " * i + f"- level {i} point" for i in range(25)),
    ],
)
def test_markdown_nested_past_the_parsers_limit_is_shown_as_written_not_dropped(api, debate, no_rate_limits, body):
    post(api, body)
    html = Comment.objects.get().body_html
    assert "the quoted point" in html or "level 24 point" in html
    assert "<blockquote>" not in html
    assert "<p>Intro</p>" in html


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (
            "The **CNIL**: [Wikipedia](https://fr.wikipedia.org/wiki/Commission_nationale_de_l%27informatique)",
            '<a href="https://fr.wikipedia.org/wiki/Commission_nationale_de_l%27informatique"',
        ),
        ("*Read* <https://example.org/caf%C3%A9>", "<em>Read</em>"),
        ("[x](https://b\u00fccher.example/a) and **bold**", "<strong>bold</strong>"),
        ("> quote\ncontinued lazily\n\n- a\n-\n- b", "<li>b</li>"),
    ],
)
def test_links_and_ordinary_markdown_keep_their_form(api, debate, no_rate_limits, body, kept):
    """Encoded, internationalised and autolinked addresses are not text the parser drops."""
    post(api, body)
    assert kept in Comment.objects.get().body_html


@pytest.mark.parametrize(
    ("body", "html"),
    [
        (
            "The decision: https://www.cnil.fr/en/clearview-ai.",
            '<p>The decision: <a href="https://www.cnil.fr/en/clearview-ai" rel="nofollow ugc noopener">'
            "https://www.cnil.fr/en/clearview-ai</a>.</p>",
        ),
        (
            "(see https://example.org/a_(b))",
            '<p>(see <a href="https://example.org/a_(b)" rel="nofollow ugc noopener">https://example.org/a_(b)</a>)</p>',
        ),
        ("clearview.ai, www.cnil.fr and dpo@cnil.fr", "<p>clearview.ai, www.cnil.fr and dpo@cnil.fr</p>"),
        ("`https://in.code.example`", "<p><code>https://in.code.example</code></p>"),
        ("javascript:alert(1) and ftp://files.example", "<p>javascript:alert(1) and ftp://files.example</p>"),
    ],
)
def test_an_address_pasted_bare_is_a_link_when_it_says_https(api, debate, no_rate_limits, body, html):
    post(api, body)
    assert Comment.objects.get().body_html == html


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ('In ()[40]("/etc/passwd") a list', 'In ()[40]("/etc/passwd") a list'),
        ("[the form](/me/erase/)", "[the form](/me/erase/)"),
        ("[a host](//evil.example/x)", "[a host](//evil.example/x)"),
        ("[run](javascript:alert(1))", "[run](javascript:alert(1))"),
        ("[see](#c12)", '<a href="#c12" rel="nofollow ugc noopener">see</a>'),
        ("[mail](mailto:dpo@example.org)", '<a href="mailto:dpo@example.org" rel="nofollow ugc noopener">mail</a>'),
    ],
)
def test_a_link_goes_to_another_site_an_address_or_another_comment_and_anything_else_stays_text(
    api, debate, no_rate_limits, body, shown
):
    """A path on this site, a protocol-relative host or a script in a reader's
    link would mislead or break; the text stays as written instead."""
    post(api, body)
    html = Comment.objects.get().body_html
    assert html == f"<p>{escape(shown, quote=False) if '<a' not in shown else shown}</p>"


def test_markdown_within_the_limit_keeps_its_form(api, debate, no_rate_limits):
    post(api, "Intro\n\n" + "> " * 5 + "the quoted point\n\n1. first\n2. second")
    html = Comment.objects.get().body_html
    assert html.count("<blockquote>") == 5
    assert "<li>first</li>" in html


def test_comment_carries_the_authors_stance(api, debate, key, no_rate_limits):
    api.post("/api/v1/debates/clearview-ai-cnil-fine/vote", {"option": "invasion"}, key=key)
    post(api, key=key)
    [item] = api.get(URL).json()["results"]
    assert item["stance"] == "invasion"


def test_reply_nesting_stops_at_the_third_level_and_a_deeper_reply_says_whom_it_answers(
    api, anon, debate, key, no_rate_limits
):
    ids = [post(api, "level 0", key=key).json()["id"]]
    for level in range(1, 6):
        ids.append(post(api, f"level {level}", key=key, parent_id=ids[-1], author_name=f"Writer {level}").json()["id"])
    depths = sorted(Comment.objects.values_list("depth", flat=True))
    assert depths == [0, 1, 2, 3, 3, 3]
    deepest = Comment.objects.filter(depth=3)
    assert {c.parent.depth for c in deepest} == {2}
    assert [Comment.objects.get(pk=i).reply_to_id for i in ids] == [None, None, None, None, ids[3], ids[4]]
    [thread] = api.get(URL).json()["results"]
    third = thread["replies"][0]["replies"][0]["replies"]
    assert [(c["parent_id"], c["reply_to_id"]) for c in third] == [(ids[2], None), (ids[2], ids[3]), (ids[2], ids[4])]
    page = anon.get("/").content.decode()
    assert page.count("replying to") == 2
    assert f'replying to <a href="#c{ids[3]}"><bdi>Writer 3</bdi></a>' in page
    assert f'replying to <a href="#c{ids[4]}"><bdi>Writer 4</bdi></a>' in page
    # An answered comment hidden without a placeholder is not named.
    Comment.objects.filter(pk=ids[3]).update(status=Comment.Status.REJECTED)
    Debate.objects.filter(pk=debate.pk).update(version=F("version") + 1)
    page = anon.get("/").content.decode()
    assert "replying to a comment no longer shown" in page
    assert "Writer 3" not in page
    [thread] = api.get(URL).json()["results"]
    assert [c["reply_to_id"] for c in thread["replies"][0]["replies"][0]["replies"]] == [None, ids[4]]
    # One its author deletes stays as a placeholder while an answer to it is shown.
    assert api.delete(f"/api/v1/comments/{ids[4]}", key=key).status_code == HTTPStatus.NO_CONTENT
    page = anon.get("/").content.decode()
    assert "level 5" in page
    assert "Writer 4" not in page
    assert f'replying to <a href="#c{ids[4]}">a deleted comment</a>' in page


def test_reply_to_unknown_parent_is_404(api, debate, no_rate_limits):
    response = post(api, parent_id=999999)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"] == "not_found"


def test_listing_paginates_sorts_and_filters(api, debate, settings, no_rate_limits):
    settings.COMMENTS_PER_PAGE = 2
    keys = [participant_create()[1] for _ in range(3)]
    api.post("/api/v1/debates/clearview-ai-cnil-fine/vote", {"option": "useful"}, key=keys[0])
    ids = [post(api, f"comment {i}", key=k).json()["id"] for i, k in enumerate(keys)]
    api.post(f"/api/v1/comments/{ids[0]}/like", key=keys[1])
    page1 = api.get(URL, sort="oldest").json()
    assert page1["count"] == 3
    assert page1["pages"] == 2
    assert [c["id"] for c in page1["results"]] == ids[:2]
    assert [c["id"] for c in api.get(URL, sort="newest").json()["results"]] == [ids[2], ids[1]]
    assert api.get(URL, sort="top").json()["results"][0]["id"] == ids[0]
    assert [c["id"] for c in api.get(URL, stance="useful").json()["results"]] == [ids[0]]
    assert {c["id"] for c in api.get(URL, stance="none").json()["results"]} == {ids[1], ids[2]}


def test_author_can_edit_within_the_window_and_history_is_kept(api, debate, key, no_rate_limits):
    comment_id = post(api, "first version", key=key).json()["id"]
    response = api.patch(f"/api/v1/comments/{comment_id}", {"body": "second version"}, key=key)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["edited_at"]
    assert CommentRevision.objects.get().body == "first version"
    [item] = api.get(URL).json()["results"]
    assert item["edited_at"] is not None
    assert "second version" in item["body_html"]


def test_edit_by_someone_else_is_403(api, debate, key, no_rate_limits):
    comment_id = post(api, key=key).json()["id"]
    other = participant_create()[1]
    assert api.patch(f"/api/v1/comments/{comment_id}", {"body": "hijack"}, key=other).status_code == 403
    assert api.patch(f"/api/v1/comments/{comment_id}", {"body": "hijack"}).status_code == 403


def test_edit_after_the_window_is_409(api, debate, key, no_rate_limits):
    comment_id = post(api, key=key).json()["id"]
    Comment.objects.filter(pk=comment_id).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    response = api.patch(f"/api/v1/comments/{comment_id}", {"body": "too late"}, key=key)
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"] == "edit_window_over"


def test_delete_erases_the_text_and_leaves_a_placeholder_only_where_replies_exist(api, debate, key, no_rate_limits):
    lonely = post(api, "lonely secret text", key=key).json()["id"]
    parent = post(api, "parent secret text", key=key).json()["id"]
    post(api, "a reply", key=participant_create()[1], parent_id=parent)
    assert api.delete(f"/api/v1/comments/{lonely}", key=key).status_code == HTTPStatus.NO_CONTENT
    assert api.delete(f"/api/v1/comments/{parent}", key=key).status_code == HTTPStatus.NO_CONTENT
    assert not Comment.objects.filter(pk=lonely).exists()
    placeholder = Comment.objects.get(pk=parent)
    assert placeholder.status == Comment.Status.DELETED
    assert placeholder.body == ""
    assert placeholder.participant is None
    assert not Comment.objects.filter(body__contains="secret text").exists()
    listing = api.get(URL).json()
    assert listing["count"] == 1  # the reply; the placeholder is not counted
    [thread] = listing["results"]
    assert thread["status"] == "deleted"
    assert thread["body_html"] == ""
    assert thread["replies"][0]["body_html"] == "<p>a reply</p>"


def test_delete_by_someone_else_is_403(api, debate, key, no_rate_limits):
    comment_id = post(api, key=key).json()["id"]
    assert api.delete(f"/api/v1/comments/{comment_id}", key=participant_create()[1]).status_code == 403
    assert Comment.objects.filter(pk=comment_id).exists()


def test_like_toggles_and_is_refused_on_ones_own_comment(api, debate, key, no_rate_limits):
    comment_id = post(api, key=key).json()["id"]
    assert api.post(f"/api/v1/comments/{comment_id}/like", key=key).status_code == HTTPStatus.FORBIDDEN
    other = participant_create()[1]
    assert api.post(f"/api/v1/comments/{comment_id}/like", key=other).json() == {"likes": 1, "liked": True}
    assert api.post(f"/api/v1/comments/{comment_id}/like", key=other).json() == {"likes": 0, "liked": False}
    assert Like.objects.count() == 0


def test_report_once_then_409_and_three_reports_hide_the_comment(api, debate, key, no_rate_limits):
    comment_id = post(api, key=key).json()["id"]
    reporters = [participant_create()[1] for _ in range(3)]
    url = f"/api/v1/comments/{comment_id}/reports"
    assert api.post(url, {"reason": "abuse", "note": "\x01\x02rude\x7f"}, key=reporters[0]).status_code == 201
    assert Report.objects.get().note == "rude"  # the controls that drew as boxes in the queue are gone
    assert api.post(url, {"reason": "spam"}, key=reporters[0]).status_code == HTTPStatus.CONFLICT
    assert Comment.objects.get(pk=comment_id).status == Comment.Status.PUBLISHED
    api.post(url, {"reason": "off_topic"}, key=reporters[1])
    api.post(url, {"reason": "personal_info"}, key=reporters[2])
    comment = Comment.objects.get(pk=comment_id)
    assert comment.status == Comment.Status.PENDING
    assert "reports" in comment.reasons
    assert api.get(URL).json()["count"] == 0
    # The author still sees it, marked as pending.
    [own] = api.get(URL, key=key).json()["results"]
    assert own["status"] == "pending"


@pytest.mark.parametrize("reason", ["spam", "abuse", "personal_info", "off_topic", "illegal", "other"])
def test_every_report_reason_code_is_accepted(api, debate, key, reason, no_rate_limits):
    comment_id = post(api, key=key).json()["id"]
    response = api.post(f"/api/v1/comments/{comment_id}/reports", {"reason": reason}, key=participant_create()[1])
    assert response.status_code == HTTPStatus.CREATED
    assert Report.objects.get().reason == reason


def test_unknown_report_reason_is_400(api, debate, key, no_rate_limits):
    comment_id = post(api, key=key).json()["id"]
    response = api.post(f"/api/v1/comments/{comment_id}/reports", {"reason": "boring"}, key=participant_create()[1])
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_held_comment_is_visible_to_its_author_only(api, debate, key, no_rate_limits):
    WordRule.objects.create(pattern="facial*", action=WordRule.Action.HOLD)
    response = post(api, "Facial recognition everywhere", key=key)
    assert response.json()["status"] == "pending"
    assert api.get(URL).json()["results"] == []
    assert api.get(URL, key=participant_create()[1]).json()["results"] == []
    assert api.get(URL, key=key).json()["results"][0]["status"] == "pending"


def test_banned_word_rejects_with_the_reason(api, debate, no_rate_limits):
    WordRule.objects.create(pattern="scum", action=WordRule.Action.REJECT)
    response = post(api, "You scum")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "rejected"
    assert "word" in response.json()["message"]
    assert Comment.objects.count() == 0


def test_same_text_twice_within_ten_minutes_is_refused(api, debate, key, no_rate_limits):
    assert post(api, "Same words", key=key).status_code == HTTPStatus.CREATED
    response = post(api, "Same words", key=key)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "duplicate"


def test_idempotency_key_posts_once(api, debate, key, no_rate_limits):
    first = post(api, "Retry me", key=key, idempotency_key="abc123")
    second = post(api, "Retry me", key=key, idempotency_key="abc123")
    assert first.json()["id"] == second.json()["id"]
    assert Comment.objects.count() == 1


def test_an_idempotency_key_reused_for_another_comment_is_refused_not_dropped(api, debate, key, no_rate_limits):
    first = post(api, "The first comment.", key=key, idempotency_key="k-1")
    other = post(api, "Another comment entirely.", key=key, idempotency_key="k-1")
    assert other.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert other.json()["error"] == "idempotency_key_reused"
    assert other.json()["fields"] == {"idempotency_key": "reused"}
    reply = post(api, "The first comment.", key=key, idempotency_key="k-1", parent_id=first.json()["id"])
    assert reply.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert list(Comment.objects.values_list("body", flat=True)) == ["The first comment."]
    # A retry of the text as first sent still finds it after an edit.
    api.patch(f"/api/v1/comments/{first.json()['id']}", {"body": "The first comment, edited."}, key=key)
    assert post(api, "The first comment.", key=key, idempotency_key="k-1").json()["id"] == first.json()["id"]


def test_a_retried_reply_past_the_deepest_level_finds_the_reply_it_made(api, debate, key, no_rate_limits):
    """A reply to a comment at the third level is kept beside it: its retry is the same request."""
    parent = post(api, "Level 0").json()["id"]
    for level in range(1, 4):
        parent = post(api, f"Level {level}", parent_id=parent).json()["id"]
    first = post(api, "Too deep to nest further.", key=key, idempotency_key="deep-1", parent_id=parent)
    assert Comment.objects.get(pk=first.json()["id"]).parent_id != parent  # attached higher up
    again = post(api, "Too deep to nest further.", key=key, idempotency_key="deep-1", parent_id=parent)
    assert again.status_code == HTTPStatus.CREATED, again.content
    assert again.json()["id"] == first.json()["id"]


def test_an_idempotency_key_longer_than_64_characters_is_refused_not_cut(api, debate, key, no_rate_limits):
    """Cut to 64, two keys sharing their first 64 characters posted one comment for two."""
    shared = "client-" + "0" * 57
    assert post(api, "One", key=key, idempotency_key=shared + "01").status_code == HTTPStatus.BAD_REQUEST
    response = api.client.post(
        URL,
        {"body": "Two"},
        content_type="application/json",
        HTTP_X_PARTICIPANT_KEY=key,
        HTTP_IDEMPOTENCY_KEY=shared + "02",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["fields"] == {"idempotency_key": "too_long"}
    assert "at most 64 characters" in response.json()["message"]
    assert not Comment.objects.exists()


def test_rate_limit_answers_429_with_retry_after(api, debate, key, settings):
    settings.RATE_LIMIT_COMMENTS = "3/60"
    statuses = [post(api, f"comment number {i}", key=key).status_code for i in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    response = post(api, "one more", key=key)
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"] == "rate_limited"
    assert Comment.objects.count() == 3


def test_closed_comments_are_403(api, debate, no_rate_limits):
    debate.comments_open = False
    debate.save()
    assert post(api).status_code == HTTPStatus.FORBIDDEN


def test_unknown_debate_is_404(api, debate):
    assert api.post("/api/v1/debates/nope/comments", {"body": "x"}).status_code == HTTPStatus.NOT_FOUND


def test_unknown_fields_and_wrong_types_are_400(api, debate):
    assert api.post(URL, {"body": "x", "colour": "red"}).status_code == HTTPStatus.BAD_REQUEST
    assert api.post(URL, {"body": 12}).status_code == HTTPStatus.BAD_REQUEST
    response = api.client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize("comments", [1, 500])
def test_comments_api_query_count_does_not_grow(api, debate, make_participant, comments, no_rate_limits):
    author = make_participant().participant
    tops = Comment.objects.bulk_create(
        Comment(debate=debate, participant=author, body=f"c{i}", body_html=f"<p>c{i}</p>") for i in range(comments)
    )
    for top in tops:
        top.thread = top
    Comment.objects.bulk_update(tops, ["thread"])
    Comment.objects.bulk_create(
        Comment(debate=debate, participant=author, parent=t, thread=t, depth=1, body="r", body_html="<p>r</p>")
        for t in tops[:50]
    )
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(URL)
    assert response.status_code == HTTPStatus.OK
    # the debate's key, the rest of the debate (a miss), its options, page
    # with its replies (the counts are on the debate row)
    assert len(app_queries(ctx)) == 4, app_queries(ctx)


def test_ballot_table_untouched_by_comments(api, debate, no_rate_limits):
    post(api)
    assert Ballot.objects.count() == 0
