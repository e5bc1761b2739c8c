"""The same comment rules through the HTML forms, which work without JavaScript."""

import datetime
import html as htmllib
import re
import time
from http import HTTPStatus

import pytest
from django.core import signing
from django.test import Client

from forum.debates.forms import form_token
from forum.debates.models import Ballot, Comment, Debate, Participant, Report, WordRule
from forum.debates.services import comment_delete
from forum.debates.views import actions
from tests.security.payloads import blns, normalised_body

SLUG = "clearview-ai-cnil-fine"
POST_URL = f"/debates/{SLUG}/comments/"


def old_token(seconds=60):
    return signing.dumps(time.time() - seconds, salt="forum.form-started")


def form(body="I think the fine is fair.", **extra):
    return {"body": body, "author_name": "", "website": "", "started": old_token(), "idempotency_key": "", **extra}


def test_posting_without_javascript_redirects_to_the_key_then_to_the_comment(anon, debate, settings, no_rate_limits):
    response = anon.post(POST_URL, form())
    assert response.status_code == HTTPStatus.FOUND
    # A first comment lands on the key, shown this once above everything else.
    assert response["Location"].endswith("#your-key")
    cookie = response.cookies[settings.PARTICIPANT_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    # The next page shows the key once, with ways to save it.
    page = anon.get(response["Location"]).content.decode()
    assert cookie.value in page
    assert 'id="your-key"' in page
    assert "Download as a file" in page
    assert cookie.value not in anon.get("/").content.decode()
    # Later comments land on themselves.
    response = anon.post(POST_URL, form("And a second thought."))
    assert response["Location"].endswith(f"#c{Comment.objects.get(body='And a second thought.').pk}")


def test_a_refused_comment_comes_back_with_its_text_and_the_reason(reader, debate):
    WordRule.objects.create(pattern="idiot*", action=WordRule.Action.REJECT)
    text = "You idiots will never understand <privacy> & consent"
    response = reader.post(POST_URL, form(text, author_name="Sam"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert htmllib.escape(text) in page
    assert 'value="Sam"' in page
    assert "does not allow" in page
    assert Comment.objects.count() == 0


def test_the_honeypot_refuses_and_keeps_the_text(reader, debate):
    response = reader.post(POST_URL, form("Bot text here", website="http://spam.example"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Bot text here" in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_form_sent_faster_than_a_human_types_is_refused(reader, debate):
    response = reader.post(POST_URL, form("Too quick", started=form_token()))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "faster than anyone can type" in response.content.decode()
    assert "Too quick" in response.content.decode()


def test_a_vote_sent_too_soon_is_refused_in_its_own_words_with_the_choice_still_ticked(reader, debate):
    response = reader.post(f"/debates/{SLUG}/vote/", {"option": "invasion", "website": "", "started": form_token()})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert "quicker than anyone can read the question" in page
    assert "type" not in re.search(r'<p class="notice notice-error" role="alert">(.*?)</p>', page).group(1)
    assert re.search(r'<input type="radio" name="option" value="invasion" required checked>', page)
    assert not Ballot.objects.exists()


def test_a_vote_needs_a_second_where_a_comment_needs_three(reader, debate):
    """A reader who knows their answer votes at once; writing takes longer."""
    sent_soon = old_token(seconds=1.5)
    vote = reader.post(f"/debates/{SLUG}/vote/", {"option": "invasion", "website": "", "started": sent_soon})
    assert vote.status_code == HTTPStatus.FOUND
    assert Ballot.objects.get().option.key == "invasion"
    comment = reader.post(POST_URL, form("Written in a second and a half", started=sent_soon))
    assert comment.status_code == HTTPStatus.BAD_REQUEST
    assert "faster than anyone can type" in comment.content.decode()


def test_rate_limits_off_lifts_honeypot_and_timing(reader, debate, no_rate_limits):
    response = reader.post(POST_URL, form("Bench post", website="x", started=form_token()))
    assert response.status_code == HTTPStatus.FOUND


def test_rate_limited_post_is_429_with_retry_after_and_text(reader, debate, settings):
    settings.RATE_LIMIT_COMMENTS = "1/60"
    reader.post(POST_URL, form("first"))
    response = reader.post(POST_URL, form("second one"))
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert "second one" in response.content.decode()


def test_reply_edit_delete_like_and_report_work_as_plain_forms(reader, make_participant, debate, no_rate_limits):
    reader.post(POST_URL, form("Parent comment"))
    parent = Comment.objects.get()
    other = make_participant()
    other.post(POST_URL, form("A reply", parent_id=parent.pk))
    reply = Comment.objects.get(parent=parent)
    assert reply.depth == 1
    # The reply and report pages quote the comment as the thread does (its quotes ruled, not indented).
    for page in (f"/comments/{parent.pk}/reply/", f"/comments/{parent.pk}/report/"):
        assert f'<div class="comment-body">{parent.body_html}</div></blockquote>' in other.get(page).content.decode()
    # like
    assert other.post(f"/comments/{parent.pk}/like/").status_code == HTTPStatus.FOUND
    parent.refresh_from_db()
    assert parent.like_count == 1
    # report
    assert reader.get(f"/comments/{reply.pk}/report/").status_code == HTTPStatus.OK
    done = reader.post(f"/comments/{reply.pk}/report/", {"reason": "off_topic", "note": "not about Clearview"})
    # Thanked after a redirect, so that a reload shows the thanks again instead of sending the form twice.
    assert done.status_code == HTTPStatus.FOUND
    assert done["Location"] == f"/comments/{reply.pk}/report/?done=1"
    # Thanked even by a browser that dropped the key the report made: no blank form to send twice.
    for thanks in (reader.get(done["Location"]), reader.get(done["Location"]), Client().get(done["Location"])):
        assert "Thank you for your report" in thanks.content.decode()
        assert 'name="reason"' not in thanks.content.decode()
    assert Report.objects.get().note == "not about Clearview"
    again = reader.post(f"/comments/{reply.pk}/report/", {"reason": "spam"})
    assert again.status_code == HTTPStatus.CONFLICT
    # Coming back to the report page, or sending it again, says it is done, with no form to send again.
    for revisit in (again, reader.get(f"/comments/{reply.pk}/report/")):
        assert "You have already reported this comment" in revisit.content.decode()
        assert 'name="reason"' not in revisit.content.decode()
    assert Report.objects.count() == 1
    # edit: the page gives the time left as well as the deadline in UTC
    edit_page = reader.get(f"/comments/{parent.pk}/edit/").content.decode()
    assert re.search(r"You can edit for another \d+\sminutes?, until <time [^>]+>\d\d:\d\d UTC</time>\.", edit_page)
    assert reader.post(f"/comments/{parent.pk}/edit/", {"body": "Parent, edited"}).status_code == HTTPStatus.FOUND
    parent.refresh_from_db()
    assert parent.body == "Parent, edited"
    assert other.get(f"/comments/{parent.pk}/edit/").status_code == HTTPStatus.FORBIDDEN
    # delete: a placeholder remains because of the reply, and the page says it is done
    deleted = reader.post(f"/comments/{parent.pk}/delete/")
    assert deleted["Location"] == f"/debates/{SLUG}/?deleted=1#comments-notice"
    assert '<p class="notice" role="status" id="comments-notice">Your comment is deleted.</p>' in (
        reader.get(deleted["Location"]).content.decode()
    )
    # The page's actions come back to the same view without the one-time notice.
    notice_page = reader.get(f"/debates/{SLUG}/?sort=oldest&deleted=1").content.decode()
    assert 'name="return_query" value="?sort=oldest"' in notice_page
    assert 'name="return_query" value="?sort=oldest&amp;deleted=1"' not in notice_page
    page = reader.get(f"/debates/{SLUG}/").content.decode()
    assert "comments-notice" not in page
    assert "This comment was deleted." in page
    assert "Parent, edited" not in page
    assert "A reply" in page


def test_own_pending_comment_is_shown_to_the_author_only(reader, anon, debate):
    debate.premoderation = "all"
    debate.save()
    reader.post(POST_URL, form("Waiting for a moderator"))
    assert "Awaiting moderation" in reader.get("/").content.decode()
    assert "Waiting for a moderator" not in anon.get("/").content.decode()


def test_stance_badge_and_filter_on_the_page(reader, make_participant, debate, no_rate_limits):
    reader.post(f"/debates/{SLUG}/vote/", {"option": "invasion", "started": old_token()})
    reader.post(POST_URL, form("Privacy first"))
    assert "1 of the 1 comment starts a thread" in reader.get("/?stance=invasion").content.decode()
    make_participant().post(POST_URL, form("No vote from me"))
    reader.post(POST_URL, form("Audits first"))
    page = reader.get("/?stance=invasion").content.decode()
    assert "Privacy first" in page
    assert "No vote from me" not in page
    assert 'title="Voted: An unacceptable invasion of privacy"' in page
    # The filter says how much of the debate it lists; the whole debate does not.
    assert "2 of the 3 comments start a thread from this side" in page
    assert "1 of the 3 comments starts a thread from this side" in reader.get("/?stance=none").content.decode()
    assert "from this side;" not in reader.get("/").content.decode()


def test_every_blns_string_as_body_and_name_gives_201_or_400_and_shows_what_was_sent(api, debate, no_rate_limits):
    url = f"/api/v1/debates/{SLUG}/comments"
    key = None
    for i, text in enumerate(blns()):
        body = f"{i}: {text}"
        response = api.post(url, {"body": body, "author_name": text[:40]}, key=key)
        assert response.status_code in (HTTPStatus.CREATED, HTTPStatus.BAD_REQUEST), (text, response.content)
        if response.status_code == HTTPStatus.BAD_REQUEST:
            assert response.json()["message"]
            response = api.post(url, {"body": body}, key=key)
        assert response.status_code in (HTTPStatus.CREATED, HTTPStatus.BAD_REQUEST), (text, response.content)
        key = key or response.json().get("participant_key")
        if response.status_code == HTTPStatus.CREATED:
            stored = Comment.objects.get(pk=response.json()["id"])
            assert stored.body == normalised_body(body)
    assert Participant.objects.count() == 1
    assert Comment.objects.count() > len(blns()) * 0.9


def test_reporting_in_place_returns_the_debate_page_with_a_thank_you(reader, make_participant, debate, no_rate_limits):
    make_participant().post(POST_URL, form("Report me"))
    comment = Comment.objects.get()
    response = reader.post(f"/comments/{comment.pk}/report/", {"reason": "spam"}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    # Thanked under the comment, where the reader is, not at the top of a long discussion.
    under = page.split(f'id="c{comment.pk}"', 1)[1].split("</article>", 1)[0]
    assert '<p class="notice" role="status" id="report-thanks">Thank you for your report.' in under
    assert "comments-notice" not in page
    assert 'id="comments"' in page
    assert Report.objects.count() == 1


def test_a_report_that_hides_the_comment_is_thanked_above_the_comments(
    reader, make_participant, debate, no_rate_limits, settings
):
    settings.COMMENT_REPORTS_TO_HIDE = 1
    make_participant().post(POST_URL, form("Report me"))
    comment = Comment.objects.get()
    response = reader.post(f"/comments/{comment.pk}/report/", {"reason": "spam"}, headers={"X-Requested-With": "fetch"})
    page = response.content.decode()
    assert '<p class="notice" role="status" id="comments-notice">Thank you for your report.' in page
    assert f'id="c{comment.pk}"' not in page


def test_a_refused_like_says_why_on_the_page(reader, debate, no_rate_limits):
    reader.post(POST_URL, form("My own words"))
    comment = Comment.objects.get()
    response = reader.post(f"/comments/{comment.pk}/like/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "You cannot like your own comment." in response.content.decode()


def test_every_comment_offers_an_inline_report_form(anon, make_participant, debate, no_rate_limits):
    make_participant().post(POST_URL, form("Something to report"))
    page = anon.get("/").content.decode()
    assert 'name="reason" value="personal_info"' in page
    assert "Harassment or abuse" in page


def test_reply_page_without_javascript_posts_a_reply_under_the_comment(reader, anon, make_participant, debate):
    make_participant().post(POST_URL, form("Reply to me on a page of its own"))
    parent = Comment.objects.get()
    page = anon.get(f"/comments/{parent.pk}/reply/")
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "Reply to me on a page of its own" in text
    assert f'name="parent_id" value="{parent.pk}"' in text
    assert f'action="{POST_URL}#comment-form"' in text  # a refusal opens at the form that holds the text
    done = reader.post(POST_URL, form("Replied without scripts", parent_id=parent.pk))
    assert done.status_code == HTTPStatus.FOUND
    assert Comment.objects.get(parent=parent).body == "Replied without scripts"


def test_reply_page_is_404_for_a_comment_others_cannot_see(anon, reader, debate):
    debate.premoderation = "all"
    debate.save()
    reader.post(POST_URL, form("Held for a moderator"))
    held = Comment.objects.get()
    assert anon.get(f"/comments/{held.pk}/reply/").status_code == HTTPStatus.NOT_FOUND
    assert anon.post(f"/comments/{held.pk}/reply/").status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_reply_page_says_when_comments_are_closed(anon, make_participant, debate):
    make_participant().post(POST_URL, form("Closed soon"))
    debate.comments_open = False
    debate.save()
    text = anon.get(f"/comments/{Comment.objects.get().pk}/reply/").content.decode()
    assert "Comments are closed" in text
    assert 'name="body"' not in text


def _page_forms(html: str) -> dict[str, int]:
    return {
        "post forms": html.count('<form method="post"'),
        "csrf inputs": html.count('name="csrfmiddlewaretoken"'),
        "like forms": html.count('class="link-button like-button"'),
        "reply forms": html.count('name="parent_id"'),
        "report forms": html.count('name="reason" value="spam"'),
    }


@pytest.mark.parametrize("page_size", [1, 20])
def test_each_comment_carries_only_its_like_form(anon, make_participant, debate, settings, no_rate_limits, page_size):
    """Reply and report are one form each for the whole page, not one per comment:
    each comment's forms cost rendering time on every uncached page."""
    settings.PAGE_CACHE = False
    author = make_participant()
    for i in range(page_size):
        author.post(POST_URL, form(f"Comment number {i}"))
    html = anon.get("/").content.decode()
    forms = _page_forms(html)
    # the vote, the comment, the reply and the report form, and a like form per comment
    assert forms == {
        "post forms": 4 + page_size,
        "csrf inputs": 4 + page_size,
        "like forms": page_size,
        "reply forms": 1,
        "report forms": 1,
    }
    for pk in Comment.objects.values_list("pk", flat=True):
        assert f'href="/comments/{pk}/reply/"' in html
        assert f'href="/comments/{pk}/report/"' in html


def _fields(page_html: str, form_id: str) -> dict:
    """What a browser sends from the page's form with this id."""
    found = re.search(rf'<form [^>]*id="{form_id}".*?</form>', page_html, re.S).group(0)
    return {
        name: htmllib.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', found)
    }


@pytest.mark.parametrize("has_key", [False, True], ids=["new reader", "key holder"])
def test_a_reply_and_then_a_comment_from_the_same_page_both_post(
    debate, make_participant, anon, has_key, settings, no_rate_limits
):
    """Each form carries its own idempotency key; with the reply form sharing
    the comment form's, the comment came back as the earlier reply."""
    settings.FORM_MIN_SECONDS = 0
    settings.VOTE_MIN_SECONDS = 0
    make_participant().post(POST_URL, form("The first thread."))
    reader = make_participant() if has_key else anon
    page = reader.get(f"/debates/{SLUG}/").content.decode()
    reply, comment = _fields(page, "reply-form"), _fields(page, "comment-form")
    assert reply["idempotency_key"]
    assert reply["idempotency_key"] != comment["idempotency_key"]
    parent = Comment.objects.get()
    reader.post(POST_URL, {**reply, "parent_id": parent.pk, "body": "A reply whose answer got lost."})
    reader.post(POST_URL, {**comment, "body": "Then a thread of my own."})
    mine = Comment.objects.exclude(pk=parent.pk).order_by("pk")
    assert [(c.body, c.parent_id) for c in mine] == [
        ("A reply whose answer got lost.", parent.pk),
        ("Then a thread of my own.", None),
    ]


def test_a_report_sent_from_a_later_page_is_thanked_on_that_page(
    reader, make_participant, debate, no_rate_limits, settings
):
    settings.COMMENTS_PER_PAGE = 2
    author = make_participant()
    for n in range(4):
        author.post(POST_URL, form(f"Comment number {n}"))
    oldest = Comment.objects.order_by("pk").first()  # on page 2 of the newest first
    url = f"/comments/{oldest.pk}/report/?sort=newest&page=2"
    page = reader.post(url, {"reason": "spam"}, headers={"X-Requested-With": "fetch"}).content.decode()
    under = page.split(f'id="c{oldest.pk}"', 1)[1].split("</article>", 1)[0]
    assert 'id="report-thanks"' in under
    # Sent from page 1 (the comment not on it), the thanks go above the comments rather than nowhere.
    other = make_participant()
    page = other.post(
        f"/comments/{oldest.pk}/report/", {"reason": "spam"}, headers={"X-Requested-With": "fetch"}
    ).content.decode()
    assert '<p class="notice" role="status" id="comments-notice">Thank you for your report.' in page


def test_reloading_the_thanks_after_a_report_hid_the_comment_says_it_is_done(
    reader, make_participant, debate, no_rate_limits, settings
):
    settings.COMMENT_REPORTS_TO_HIDE = 1
    make_participant().post(POST_URL, form("Report me"))
    comment = Comment.objects.get()
    done = reader.post(f"/comments/{comment.pk}/report/", {"reason": "spam"})
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert "Thank you for your report" in reader.get(done["Location"]).content.decode()  # reloaded, too
    again = reader.post(f"/comments/{comment.pk}/report/", {"reason": "spam"})
    assert again.status_code == HTTPStatus.CONFLICT
    assert "You have already reported this comment" in again.content.decode()
    # Anyone else cannot report a comment that is no longer published.
    assert make_participant().get(f"/comments/{comment.pk}/report/").status_code == HTTPStatus.NOT_FOUND


def _footer(page: str, comment_id: int) -> str:
    """The actions under one comment of a page."""
    return page.split(f'id="c{comment_id}"', 1)[1].split("</footer>", 1)[0]


def test_a_comment_one_has_reported_says_so_instead_of_offering_the_report_again(
    reader, make_participant, debate, no_rate_limits
):
    author = make_participant()
    author.post(POST_URL, form("First comment"))
    author.post(POST_URL, form("Second comment"))
    first, second = Comment.objects.order_by("pk")
    assert reader.post(f"/comments/{first.pk}/report/", {"reason": "off_topic"}).status_code == HTTPStatus.FOUND
    page = reader.get("/").content.decode()
    assert "Reported by you" in _footer(page, first.pk)
    assert "report-link" not in _footer(page, first.pk)
    assert "report-link" in _footer(page, second.pk)
    assert "Reported by you" not in _footer(page, second.pk)
    # Only to the one who reported: the author, another reader and the shared page still offer it.
    assert "Reported by you" not in author.get("/").content.decode()
    for other in (make_participant(), Client()):
        other_page = other.get("/").content.decode()
        assert "Reported by you" not in other_page
        assert "report-link" in _footer(other_page, first.pk)


def test_an_edit_says_it_is_saved_under_the_comment(reader, make_participant, debate, no_rate_limits):
    reader.post(POST_URL, form("Before the edit"))
    comment = Comment.objects.get()
    saved = reader.post(f"/comments/{comment.pk}/edit/", {"body": "After the edit"})
    assert saved["Location"] == f"/debates/{SLUG}/?edited={comment.pk}#c{comment.pk}"
    page = reader.get(saved["Location"]).content.decode()
    under = page.split(f'id="c{comment.pk}"', 1)[1].split("</li>", 1)[0]
    assert '<p class="notice" role="status" id="edit-saved">Your edit is saved.</p>' in under
    # Not on the next page, not to someone else given the address, and actions come back without it
    # (the page's script also drops it from the address: tests/browser/test_comment_journey.py).
    assert "edit-saved" not in reader.get("/").content.decode()
    assert "edit-saved" not in make_participant().get(saved["Location"]).content.decode()
    assert 'name="return_query" value=""' in page


def test_an_edit_held_by_screening_says_it_waits_for_a_moderator(reader, debate, no_rate_limits):
    reader.post(POST_URL, form("Before the edit"))
    comment = Comment.objects.get()
    WordRule.objects.create(pattern="scraped", action=WordRule.Action.HOLD)
    saved = reader.post(f"/comments/{comment.pk}/edit/", {"body": "Our faces were scraped"})
    page = reader.get(saved["Location"]).content.decode()
    assert "Your edit is saved. It waits for a moderator before others see it." in page


def test_the_reply_and_report_forms_in_the_thread_are_boxed_alike(reader, anon, debate, no_rate_limits):
    reader.post(POST_URL, form())
    page = anon.get("/").content.decode()
    for form_id in ("reply-form", "report-form"):
        tag = re.search(rf'<form [^>]*id="{form_id}"[^>]*>', page).group(0)
        assert re.search(r'class="card[ "]', tag), tag


def test_the_page_links_say_previous_and_next_whatever_the_sort(
    anon, make_participant, debate, no_rate_limits, settings
):
    settings.COMMENTS_PER_PAGE = 1
    author = make_participant()
    for n in range(3):
        author.post(POST_URL, form(f"Comment number {n}"))
    for sort in ("newest", "oldest", "top"):
        page = anon.get(f"/?sort={sort}&page=2").content.decode()
        assert 'rel="prev">Previous page</a>' in page, sort  # was "Newer page", wrong under Oldest
        assert 'rel="next">Next page</a>' in page, sort


def test_a_form_sent_again_with_another_text_keeps_the_text_and_posts_it_with_a_new_key(reader, debate, no_rate_limits):
    """Back, edit, send: the form's idempotency key was used; the new text is not dropped."""
    reader.post(POST_URL, form("The words I sent first.", idempotency_key="form-key-1"))
    response = reader.post(POST_URL, form("The words I meant.", idempotency_key="form-key-1"))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    page = response.content.decode()
    assert "This form was already sent with another text." in page
    assert "The words I meant." in page
    new_key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    assert new_key != "form-key-1"
    again = reader.post(POST_URL, form("The words I meant.", idempotency_key=new_key))
    assert again.status_code == HTTPStatus.FOUND
    assert sorted(Comment.objects.values_list("body", flat=True)) == ["The words I meant.", "The words I sent first."]


def test_a_comment_sent_after_comments_closed_comes_back_with_the_reason(reader, debate, no_rate_limits):
    """The page was loaded while comments were open; a moderator closed them while the reader wrote."""
    Debate.objects.filter(pk=debate.pk).update(comments_open=False)
    response = reader.post(POST_URL, form("Forty minutes of careful writing <3"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    page = response.content.decode()
    assert "Comments are closed on this debate." in page
    assert "Forty minutes of careful writing &lt;3</textarea>" in page
    assert not Comment.objects.exists()


def test_after_the_edit_window_the_edit_page_says_so_instead_of_offering_a_form(reader, debate, no_rate_limits):
    reader.post(POST_URL, form("Written in haste."))
    comment = Comment.objects.get()
    Comment.objects.filter(pk=comment.pk).update(created_at=comment.created_at - datetime.timedelta(minutes=16))
    page = reader.get(f"/comments/{comment.pk}/edit/").content.decode()
    assert "The time to edit this comment is over" in page
    assert "Save changes" not in page
    assert "for another 0" not in page
    assert f'href="/comments/{comment.pk}/delete/"' in page
    # A form opened in time and sent late: the reason, and the text to keep.
    late = reader.post(f"/comments/{comment.pk}/edit/", {"body": "Written at leisure."})
    assert late.status_code == HTTPStatus.CONFLICT
    text = late.content.decode()
    assert "Comments can only be edited for 15 minutes." in text
    assert "Written at leisure.</textarea>" in text
    assert "Save changes" not in text
    assert Comment.objects.get().body == "Written in haste."


def test_in_its_last_minute_the_edit_page_says_a_minute_at_most_not_zero_minutes(reader, debate, no_rate_limits):
    reader.post(POST_URL, form("Written in haste."))
    comment = Comment.objects.get()
    Comment.objects.filter(pk=comment.pk).update(
        created_at=comment.created_at - datetime.timedelta(seconds=14 * 60 + 35)
    )
    page = reader.get(f"/comments/{comment.pk}/edit/").content.decode()
    assert "You can edit for another minute at most" in page
    assert "0 minutes" not in page


@pytest.mark.parametrize(
    ("path", "anchor"), [("comments/", "#comment-form"), ("vote/", "#poll"), ("vote/withdraw/", "#poll")]
)
def test_the_address_a_refused_form_leaves_in_the_bar_goes_back_to_the_debate(anon, debate, path, anchor):
    """A refused comment or vote comes back as the POST's page, so the bar shows the form's
    target; opened again, it leads to the form on the debate, not to a blank 405."""
    response = anon.get(f"/debates/{SLUG}/{path}")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/debates/{SLUG}/{anchor}"
    assert anon.put(f"/debates/{SLUG}/{path}").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not Ballot.objects.exists()
    assert not Comment.objects.exists()


def test_deleting_a_comment_twice_says_it_is_deleted_and_never_fails(reader, debate, no_rate_limits):
    """A double click without the page's script, or a second tab, sends the deletion again."""
    reader.post(POST_URL, form("The first."))
    parent = Comment.objects.get()
    reader.post(POST_URL, form("A reply keeps the first as a placeholder.", parent_id=parent.pk))
    assert reader.post(f"/comments/{parent.pk}/delete/").status_code == HTTPStatus.FOUND
    reply = Comment.objects.get(parent=parent)  # nothing answers it: deleted, it is gone for good
    assert reader.post(f"/comments/{reply.pk}/delete/").status_code == HTTPStatus.FOUND
    for pk in (parent.pk, reply.pk):
        for again in (reader.post(f"/comments/{pk}/delete/"), reader.get(f"/comments/{pk}/delete/")):
            assert again.status_code == HTTPStatus.NOT_FOUND
            assert "This comment does not exist or has been deleted." in again.content.decode()


def test_a_deletion_that_another_request_finished_first_is_done_not_a_500(reader, debate, no_rate_limits, monkeypatch):
    reader.post(POST_URL, form("Deleted from two tabs at once."))
    comment = Comment.objects.get()
    checked = actions._own_comment_or_404

    def then_the_other_tab_deletes_it(request, comment_id):
        found = checked(request, comment_id)
        comment_delete(comment_id=comment_id, participant=reader.participant)
        return found

    monkeypatch.setattr(actions, "_own_comment_or_404", then_the_other_tab_deletes_it)
    response = reader.post(f"/comments/{comment.pk}/delete/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/debates/{SLUG}/?deleted=1#comments-notice"
    assert not Comment.objects.exists()
