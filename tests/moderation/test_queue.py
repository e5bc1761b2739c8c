"""The queue: tabs and counts, what an item shows, single decisions, no-JS flow,
and a query count that does not grow with the number of waiting comments."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone
from django.utils.html import escape

from forum.debates.models import Appeal, Comment, CommentRevision, Report
from forum.moderation.models import AuditEntry, ModeratorNote

Status = Comment.Status


def test_tabs_show_their_counts(moderator, make_comment, make_participant):
    make_comment("p1")
    make_comment("p2")
    reported = make_comment("r", status=Status.PUBLISHED)
    for reason in ("abuse", "spam"):  # two open reports: one reported comment
        Report.objects.create(comment=reported, participant=make_participant().participant, reason=reason)
    closed = make_comment("closed", status=Status.PUBLISHED)
    Report.objects.create(
        comment=closed, participant=make_participant().participant, reason="spam", resolved_at=timezone.now()
    )
    held = make_comment("held and reported")  # counted as pending, not as reported
    Report.objects.create(comment=held, participant=make_participant().participant, reason="abuse")
    appealed = make_comment("a", status=Status.REJECTED, reasons=["abuse"])
    Appeal.objects.create(comment=appealed, note="Please look again")
    make_comment("s", status=Status.SPAM)
    make_comment("ok", status=Status.PUBLISHED, decided_at=timezone.now())
    make_comment("old", status=Status.PUBLISHED, decided_at=timezone.now() - datetime.timedelta(days=30))
    response = moderator.get("/api/v1/moderation/queue")
    assert response.json()["counts"] == {
        "pending": 3,
        "reported": 1,
        "appeals": 1,
        "approved": 1,
        "published": 4,
        "rejected": 1,
        "spam": 1,
    }
    html = moderator.get("/moderation/").content.decode()
    assert 'Pending <span class="tab-count">3</span>' in html
    assert 'Recently approved <span class="tab-count">1</span>' in html


@pytest.mark.parametrize(
    ("tab", "body"),
    [
        ("pending", "held one"),
        ("reported", "reported one"),
        ("appeals", "appealed one"),
        ("spam", "spam one"),
        ("published", "reported one"),
    ],
)
def test_each_tab_lists_its_comments_only(moderator, make_comment, make_participant, tab, body):
    make_comment("held one")
    reported = make_comment("reported one", status=Status.PUBLISHED)
    Report.objects.create(comment=reported, participant=make_participant().participant, reason="spam")
    appealed = make_comment("appealed one", status=Status.REJECTED)
    Appeal.objects.create(comment=appealed, note="Why?")
    make_comment("spam one", status=Status.SPAM)
    items = moderator.get(f"/api/v1/moderation/queue?tab={tab}").json()["items"]
    assert [i["body"] for i in items] == [body]


def test_an_empty_tab_says_so_without_a_bulk_bar(moderator, make_comment):
    empty = moderator.get("/moderation/").content.decode()
    assert "Nothing here. Well done." in empty
    assert 'id="bulk"' not in empty
    make_comment("Held for a look")
    assert 'id="bulk"' in moderator.get("/moderation/").content.decode()


def test_pending_is_oldest_first(moderator, make_comment):
    now = timezone.now()
    newer = make_comment("newer", created_at=now)
    older = make_comment("older", created_at=now - datetime.timedelta(hours=1))
    ids = [i["id"] for i in moderator.get("/api/v1/moderation/queue").json()["items"]]
    assert ids == [older.pk, newer.pk]


def test_an_item_shows_text_name_reasons_reports_history_and_notes(moderator, make_comment, make_participant):
    author = make_participant().participant
    make_comment("An earlier rejected one", status=Status.REJECTED, participant=author)
    comment = make_comment(
        "Email me at x@example.org", reasons=["personal_info"], participant=author, author_name="Marianne"
    )
    CommentRevision.objects.create(comment=comment, body="The first version", created_at=comment.created_at)
    Report.objects.create(
        comment=comment, participant=make_participant().participant, reason="personal_info", note="doxxing"
    )
    ModeratorNote.objects.create(participant=author, body="Warned once already", author_label="m@example.org")
    html = moderator.get("/moderation/").content.decode()
    for expected in (
        # The comment's number, named as such beside the author's (it once read "Marianne #12").
        f'<span class="author">Marianne</span> <span class="muted">· comment #{comment.pk}</span>',
        "x@example.org",
        "Personal information",  # the screening reason, in words
        "doxxing",
        "The first version",
        "Warned once already",
        f"Participant #{author.pk}",
        "2 comments",
        "1 rejected",
        # Dates as the date filter writes them (the queue writes its own, faster).
        f"first seen {dateformat.format(author.created_at, 'j M Y')};",
        f"Until {dateformat.format(comment.created_at, 'j M Y H:i')}:",
    ):
        assert expected in html, expected
    # The reason suggested for a rejection follows the reports and screening.
    assert '<option value="personal_info" selected>' in html


@pytest.mark.parametrize(
    ("reports", "reasons", "suggested"),
    [
        (["other"], [], "other"),  # "Something else" was once read as "Off topic"
        (["spam", "abuse", "abuse"], [], "abuse"),  # the reason most readers gave
        ([], ["suspect_word"], "other"),  # a word to look at, not a verdict
        ([], [], "other"),
        ([], ["too_many_links"], "spam"),
        ([], ["toxicity"], "abuse"),
    ],
)
def test_the_reason_preselected_for_a_rejection(moderator, make_comment, make_participant, reports, reasons, suggested):
    comment = make_comment("Held for a look.", reasons=reasons)
    for reason in reports:
        Report.objects.create(comment=comment, participant=make_participant().participant, reason=reason)
    html = moderator.get("/moderation/").content.decode()
    assert re.findall(r'<option value="(\w+)" selected>', html)[0] == suggested


def test_the_screening_reasons_of_a_decided_comment_read_as_history(moderator, make_comment):
    make_comment("Held for a word.", reasons=["suspect_word"])
    make_comment("Approved since.", reasons=["suspect_word"], status=Comment.Status.PUBLISHED)
    pending = moderator.get("/moderation/").content.decode()
    published = moderator.get("/moderation/?tab=published").content.decode()
    assert '<span class="muted">Held for:</span>' in pending
    assert '<span class="muted">Was flagged for:</span>' in published
    assert "Held for:" not in published


def test_the_queue_writes_dates_in_the_sites_time_zone(moderator, make_comment, make_participant, settings):
    """Stored in UTC, shown in TIME_ZONE: half past eleven at night in UTC is
    already the next day in Paris."""
    settings.TIME_ZONE = "Europe/Paris"
    late = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)
    author = make_participant().participant
    type(author).objects.filter(pk=author.pk).update(created_at=late)
    comment = make_comment("Edited once", participant=author)
    CommentRevision.objects.create(comment=comment, body="The first version", created_at=late)
    html = moderator.get("/moderation/").content.decode()
    assert "first seen 1 Dec 2026;" in html
    assert "Until 1 Dec 2026 00:30:" in html


def test_approve_publishes_and_is_audited(moderator, make_comment, anon, debate):
    comment = make_comment("Held but fine", reasons=["premoderation"])
    # The item's form sends its reason menu (preselected) with every button.
    response = moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "approve", "reason": "abuse"})
    assert response.status_code == HTTPStatus.FOUND
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED
    assert comment.decided_at is not None
    assert comment.reasons == ["premoderation"]
    entry = AuditEntry.objects.get(action="comment.approve")
    assert entry.reason == ""  # an approval has no rejection reason
    assert (entry.target_type, entry.target_id) == ("comment", str(comment.pk))
    assert (entry.status_before, entry.status_after) == ("pending", "published")
    assert entry.actor == moderator.user
    assert "Held but fine" in anon.get("/").content.decode()


def test_reject_needs_a_reason_from_the_list(moderator, make_comment):
    comment = make_comment()
    refused = moderator.post(
        f"/api/v1/moderation/comments/{comment.pk}/decision",
        {"action": "reject", "reason": "I just don't like it"},
        content_type="application/json",
    )
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert refused.json()["fields"] == {"reason": "required"}
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "reject", "reason": "off_topic"})
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    assert comment.reasons == ["off_topic"]
    assert AuditEntry.objects.get(action="comment.reject").reason == "off_topic"


def test_rejecting_a_published_comment_takes_it_off_the_page(moderator, make_comment, anon, debate):
    comment = make_comment("Visible for now", status=Status.PUBLISHED)
    assert "Visible for now" in anon.get("/").content.decode()
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "reject", "reason": "abuse"})
    assert "Visible for now" not in anon.get("/").content.decode()


def test_spam_is_its_own_status(moderator, make_comment):
    comment = make_comment()
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "spam"})
    comment.refresh_from_db()
    assert (comment.status, comment.reasons) == (Status.SPAM, ["spam"])


def test_approving_a_reported_comment_closes_its_reports(moderator, make_comment, make_participant):
    comment = make_comment(status=Status.PUBLISHED)
    Report.objects.create(comment=comment, participant=make_participant().participant, reason="abuse")
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "approve"})
    assert not Report.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    assert moderator.get("/api/v1/moderation/queue?tab=reported").json()["counts"]["reported"] == 0


def test_a_decision_returns_to_the_queue_on_the_next_item(moderator, make_comment):
    first = make_comment("first", created_at=timezone.now() - datetime.timedelta(minutes=2))
    second = make_comment("second")
    html = moderator.get("/moderation/").content.decode()
    assert f'value="/moderation/?tab=pending&amp;page=1#item-{second.pk}"' in html
    response = moderator.post(
        f"/moderation/comments/{first.pk}/decide/",
        {"action": "approve", "return_to": f"/moderation/?tab=pending&page=1#item-{second.pk}"},
    )
    assert response["Location"] == f"/moderation/?tab=pending&page=1#item-{second.pk}"
    page = moderator.get(response["Location"]).content.decode()
    assert f"Approved comment #{first.pk}." in page


def test_return_to_cannot_leave_the_moderation_pages(moderator, make_comment):
    comment = make_comment()
    for target in ("https://evil.example/", "//evil.example/moderation/", "/accounts/logout/"):
        response = moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "spam", "return_to": target})
        assert response["Location"] == "/moderation/"


def test_a_comment_deleted_meanwhile_gives_a_message_not_an_error(moderator, make_comment):
    comment = make_comment()
    comment_id = comment.pk
    comment.delete()
    response = moderator.post(f"/moderation/comments/{comment_id}/decide/", {"action": "approve"}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "no longer exists" in response.content.decode()


def test_the_page_works_without_javascript(moderator, make_comment):
    make_comment()
    html = moderator.get("/moderation/").content.decode()
    # Every action is a plain form; the shortcuts only press their buttons.
    assert html.count('method="post"') >= 4
    assert 'data-key="a"' in html
    assert 'data-key="r"' in html
    assert 'data-key="s"' in html
    assert 'data-key="b"' in html
    assert "<script>" not in html
    assert "style=" not in html


def test_queue_shows_a_held_comments_text_as_sanitised_html(moderator, make_comment):
    make_comment("<script>alert(1)</script> **bold**")
    html = moderator.get("/moderation/").content.decode()
    assert "<script>alert(1)" not in html
    assert "<strong>bold</strong>" in html


def _queue_queries(client, tab="pending"):
    client.get(f"/moderation/?tab={tab}")  # warm the session and pepper caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/moderation/?tab={tab}").status_code == HTTPStatus.OK
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _fill(debate, participants, n, status=Status.PENDING):
    Comment.objects.bulk_create(
        Comment(
            debate=debate,
            participant=participants[i % len(participants)],
            body=f"comment {i}",
            body_html=f"<p>comment {i}</p>",
            status=status,
            reasons=["premoderation"],
        )
        for i in range(n)
    )
    debate.recount_comments()  # an import: no comment was saved one by one


def test_a_published_comment_nobody_reported_can_be_removed_from_the_queue(
    moderator, make_comment, make_participant, debate
):
    """Clean comments publish at once: the All published tab is where a moderator takes one down."""
    older = make_comment("An older clean comment", status=Status.PUBLISHED)
    newer = make_comment("A newer comment that breaks the rules", status=Status.PUBLISHED)
    make_comment("Held, not published")
    html = moderator.get("/moderation/?tab=published").content.decode()
    assert 'All published <span class="tab-count">2</span>' in html
    assert html.index("A newer comment") < html.index("An older clean comment")
    assert "Held, not published" not in html
    # A published comment nobody reports has nothing to approve: no Approve, which did nothing.
    assert 'name="action" value="approve"' not in html
    moderator.post(f"/moderation/comments/{newer.pk}/decide/", {"action": "reject", "reason": "abuse"})
    assert Comment.objects.get(pk=newer.pk).status == Status.REJECTED
    assert "breaks the rules" not in Client().get("/").content.decode()
    assert Comment.objects.get(pk=older.pk).status == Status.PUBLISHED
    make_participant().post(f"/comments/{older.pk}/report/", {"reason": "spam"})
    reported = moderator.get("/moderation/?tab=published").content.decode()
    assert reported.count('name="action" value="approve"') == 1  # keeping a reported one closes its reports


@pytest.mark.parametrize("tab", ["pending", "reported", "published"])
def test_queue_query_count_is_the_same_with_10_and_1000_items(moderator, debate, make_participant, tab):
    participants = [make_participant().participant for _ in range(30)]
    status = Status.PENDING if tab == "pending" else Status.PUBLISHED
    thread = Comment.objects.create(
        debate=debate, body="A thread", body_html="<p>A thread</p>", status=Status.PUBLISHED
    )

    def make_replies(n):  # each item shows the comment it answers
        chosen = Comment.objects.exclude(pk=thread.pk).filter(parent=None).values_list("pk", flat=True)[:n]
        Comment.objects.filter(pk__in=list(chosen)).update(parent=thread, thread=thread, depth=1)

    _fill(debate, participants, 10, status)
    make_replies(5)
    if tab == "reported":
        Report.objects.bulk_create(
            Report(comment=c, participant=participants[0], reason="abuse") for c in Comment.objects.all()
        )
    small, _ = _queue_queries(moderator, tab)
    _fill(debate, participants, 990, status)
    if tab == "reported":
        Report.objects.bulk_create(
            Report(comment=c, participant=participants[1], reason="spam") for c in Comment.objects.all()
        )
    for c in Comment.objects.all()[:40]:
        CommentRevision.objects.create(comment=c, body="older", created_at=c.created_at)
    make_replies(100)
    large, sql = _queue_queries(moderator, tab)
    # 1 session (from the database cache; none with Redis), 2 user, whether in the moderators group
    # and with two-factor, 3 every tab's count in one statement (held ones from the debates,
    # reported, appeals, recently approved), 4 the page with author, stance and appeal, 5 debates,
    # 6 the comments answered, 7 reports, 8 revisions, 9 listed replies, 10 authors' counts, 11 notes,
    # 12 bans in force
    expected = 11 if "redis" in settings.CACHES["default"]["BACKEND"].lower() else 12
    assert small == large == expected, sql


def test_the_parent_is_quoted_as_readers_see_it_not_as_markdown(moderator, make_comment):
    parent = make_comment(
        "**Courts**, not _vendors_, should decide.\n\n> Quoted\n\n"
        "See [the ruling](https://example.org/r 'a>b') & more.",
        status=Comment.Status.PUBLISHED,
        author_name="Ana",
    )
    comment = make_comment("Held", parent=parent, thread=parent, depth=1)
    html = moderator.get("/moderation/").content.decode()
    item = html[html.index(f'id="item-{comment.pk}"') :]
    assert "In reply to Ana: “Courts, not vendors, should decide. Quoted See the ruling &amp; more.”" in item


def test_a_reply_below_the_last_level_quotes_the_comment_it_answers(moderator, make_comment):
    """A reply to a third-level comment hangs beside it, under its parent; the
    queue quotes the comment the words answer, as the page names it."""
    published = Comment.Status.PUBLISHED
    level_2 = make_comment("Second level.", status=published, author_name="Ana", depth=2)
    level_3 = make_comment("Third level.", status=published, author_name="Bo", parent=level_2, depth=3)
    comment = make_comment("Held", parent=level_2, reply_to=level_3, depth=3)
    html = moderator.get("/moderation/").content.decode()
    item = html[html.index(f'id="item-{comment.pk}"') :]
    item = item[: item.index("</article>")]
    assert "In reply to Bo: “Third level.”" in item
    assert "Ana" not in item


def test_every_text_an_item_shows_is_escaped(moderator, make_comment, make_participant):
    """Names, reports, appeals, earlier versions, the parent's text, notes and ban
    reasons all come from people: each shows as text, never as markup."""
    hostile = "<b>x</b>&\"'"
    escaped = "&lt;b&gt;x&lt;/b&gt;&amp;&quot;&#x27;"
    author = make_participant().participant
    parent = make_comment(f"Parent {hostile}", status=Comment.Status.PUBLISHED, author_name=hostile)
    comment = make_comment(
        "Held", participant=author, parent=parent, thread=parent, depth=1, author_name=hostile, reasons=[hostile]
    )
    CommentRevision.objects.create(comment=comment, body=f"line one {hostile}\nline two", created_at=timezone.now())
    Report.objects.create(comment=comment, participant=make_participant().participant, reason="other", note=hostile)
    Appeal.objects.create(comment=comment, note=hostile)
    ModeratorNote.objects.create(participant=author, author_label=hostile, body=hostile)
    html = moderator.get("/moderation/").content.decode()
    assert "<b>x</b>" not in html
    item = html[html.index(f'id="item-{comment.pk}"') :]
    assert f'<span class="author">{escaped}</span>' in item  # the author's name
    assert f"In reply to {escaped}: “Parent {escaped}”" in item  # the parent's name and text
    assert f'title="{escaped}"' in item  # an unknown reason code
    assert f"<blockquote>line one {escaped}<br>line two</blockquote>" in item  # an earlier version
    assert f"Something else: “<bdi>{escaped}</bdi>”" in item  # a report's note, isolated
    assert f"</span>: {escaped}</div>" in item  # the appeal
    assert f"<li>{escaped} <span" in item  # a moderator's note
    assert f"— {escaped}," in item  # and its author


def test_each_item_links_to_its_own_debate(moderator, make_comment, make_participant, debate, second_debate):
    other = second_debate
    make_comment("On the first debate")
    Comment.objects.create(
        debate=other,
        participant=make_participant().participant,
        body="On the second",
        body_html="<p>On the second</p>",
        status=Comment.Status.PENDING,
    )
    items = moderator.get("/moderation/").content.decode().split('<li class="queue-item')[1:]
    [first] = [item for item in items if "On the first debate" in item]
    [second] = [item for item in items if "On the second" in item]
    # Each title cut after eight words, never inside one, the whole of it on hover.
    assert len(debate.title.split()) > 8
    shown = " ".join(debate.title.split()[:8])
    assert f'in <a href="/debates/{debate.slug}/" title="{escape(debate.title)}">{escape(shown)}…</a>' in first
    assert (
        'in <a href="/debates/second-debate/" title="A second debate whose title runs on well past the fifty'
        ' characters shown">A second debate whose title runs on well…</a>'
    ) in second


def test_the_queue_and_the_participant_page_show_the_same_reason_badges(moderator, make_comment, make_participant):
    author = make_participant().participant
    make_comment("Held twice over", participant=author, reasons=["personal_info", "<i>made-up</i>"])
    badges = (
        '<span class="badge badge-reason" title="personal_info">Personal information</span>'
        '<span class="badge badge-reason" title="&lt;i&gt;made-up&lt;/i&gt;">'
    )
    assert badges in moderator.get("/moderation/").content.decode()
    assert badges in moderator.get(f"/moderation/participants/{author.pk}/").content.decode()


def test_an_items_author_history_counts_each_status(moderator, make_comment, make_participant):
    author = make_participant().participant
    for status in ["published", "published", "pending", "rejected", "spam", "deleted"]:
        make_comment(f"A {status} one", status=status, participant=author)
    make_comment("Someone else's", status="published")
    [item] = [i for i in moderator.get("/api/v1/moderation/queue").json()["items"] if i["body"] == "A pending one"]
    history = item["history"]
    # every comment but the deleted one; rejected counts spam too, and spam is also given apart
    assert (history["comments"], history["published"], history["pending"], history["rejected"]) == (5, 2, 1, 2)
    assert history["spam"] == 1
    # The page tells spam from a rejection.
    page = moderator.get("/moderation/").content.decode()
    assert "5 comments, 2 published, 1 pending, 1 rejected, 1 spam." in page


def test_a_reply_to_a_deleted_comment_says_so_without_empty_quotes(moderator, make_comment, debate):
    parent = make_comment("Soon deleted", status=Status.PUBLISHED)
    Comment.objects.filter(pk=parent.pk).update(status=Status.DELETED, body="", body_html="", author_name="")
    Comment.objects.create(
        debate=debate, parent_id=parent.pk, thread_id=parent.pk, depth=1, body="Held reply", status=Status.PENDING
    )
    html = moderator.get("/moderation/").content.decode()
    assert "In reply to a deleted comment." in html
    assert "“”" not in html


def test_the_reported_tab_says_where_comments_that_reports_hid_wait(
    moderator, make_comment, make_participant, settings
):
    """A comment hidden by reports is held, so it is under Pending, not Reported: the tab says so."""
    settings.COMMENT_REPORTS_TO_HIDE = 1
    comment = make_comment("Reported until hidden", status=Status.PUBLISHED)
    make_participant().post(f"/comments/{comment.pk}/report/", {"reason": "abuse"})
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING
    reported = moderator.get("/moderation/?tab=reported").content.decode()
    assert "Reported until hidden" not in reported
    assert "Those that enough reports hid wait under Pending, with the reason “Reader reports”." in reported
    pending = moderator.get("/moderation/?tab=pending").content.decode()
    assert "Reported until hidden" in pending
    assert "Reader reports" in pending
