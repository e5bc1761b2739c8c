"""The debate's comment counts, kept on its row by every save and deletion of a
comment (listed threads, placeholders included, published, held, rejected and
spam comments), agree with the rows after every kind of change."""

from http import HTTPStatus

import pytest
from django.db.models import Q

from forum.debates.models import Comment, Debate
from forum.debates.services import comment_delete

from .conftest import while_deciding

URL = "/api/v1/debates/clearview-ai-cnil-fine/comments"


COUNTS = ["thread_count", "comment_count", "pending_count", "rejected_count", "spam_count"]


def stored_and_actual(debate) -> tuple[tuple[int, ...], tuple[int, ...]]:
    stored = Debate.objects.values_list(*COUNTS).get(pk=debate.pk)
    comments = Comment.objects.filter(debate=debate)
    actual = (
        comments.filter(Q(status="published") | Q(placeholder=True), depth=0).count(),
        comments.filter(status="published").count(),
        comments.filter(status="pending").count(),
        comments.filter(status="rejected").count(),
        comments.filter(status="spam").count(),
    )
    return stored, actual


def test_the_counts_follow_posting_holding_reporting_deciding_deleting_and_erasure(
    api, debate, moderator, make_participant, settings, no_rate_limits
):
    settings.COMMENT_REPORTS_TO_HIDE = 1
    seen = []

    def check(step):
        stored, actual = stored_and_actual(debate)
        assert stored == actual, step
        seen.append(stored)

    author = make_participant()
    top = api.post(URL, {"body": "A calm and clean remark."}, key=author.key).json()["id"]
    check("a published comment")
    held = api.post(URL, {"body": "Write to me at jane@example.org"}).json()["id"]
    check("a held comment")
    reply = api.post(URL, {"body": "A reply to it.", "parent_id": top}).json()["id"]
    check("a reply")
    api.post(f"/api/v1/comments/{reply}/reports", {"reason": "spam"}, key=make_participant().key)
    check("a reply hidden by a report")
    moderator.post(f"/moderation/comments/{held}/decide/", {"action": "approve"})
    check("a held comment approved")
    moderator.post(f"/moderation/comments/{reply}/decide/", {"action": "approve"})
    check("a reported reply restored")
    assert api.delete(f"/api/v1/comments/{top}", key=author.key).status_code == HTTPStatus.NO_CONTENT
    check("a comment with a reply deleted: its placeholder stays")
    moderator.post(f"/moderation/comments/{reply}/decide/", {"action": "reject", "reason": "off_topic"})
    check("its only reply rejected: nothing visible hangs on the placeholder, which leaves the listing")
    moderator.post(f"/moderation/comments/{held}/decide/", {"action": "spam"})
    check("a published comment marked as spam")
    assert api.delete("/api/v1/me", key=author.key).status_code == HTTPStatus.OK
    check("the author erased")
    assert seen[0] == (1, 1, 0, 0, 0)
    assert seen[1] == (1, 1, 1, 0, 0)  # held: listed to nobody but its author
    assert seen[2] == (1, 2, 1, 0, 0)
    assert seen[3] == (1, 1, 2, 0, 0)  # the reported reply is held
    assert seen[4] == (2, 2, 1, 0, 0)
    assert seen[6] == (2, 2, 0, 0, 0)  # the deleted comment is listed for its reply
    assert seen[7] == (1, 1, 0, 1, 0)
    assert seen[8] == (0, 0, 0, 1, 1)


def test_a_comment_deleted_without_replies_leaves_the_counts(api, debate, make_participant, no_rate_limits):
    author = make_participant()
    first = api.post(URL, {"body": "Said in haste."}, key=author.key).json()["id"]
    api.post(URL, {"body": "Said with care."}, key=author.key)
    api.delete(f"/api/v1/comments/{first}", key=author.key)
    assert stored_and_actual(debate) == ((1, 1, 0, 0, 0), (1, 1, 0, 0, 0))


def test_saving_the_debate_never_writes_back_counts_read_before_a_comment(api, debate, no_rate_limits):
    stale = Debate.objects.get(pk=debate.pk)
    api.post(URL, {"body": "Posted while a moderator edits the debate."})
    stale.title = "A new title"
    stale.save()
    assert stored_and_actual(debate) == ((1, 1, 0, 0, 0), (1, 1, 0, 0, 0))
    assert Debate.objects.get(pk=debate.pk).title == "A new title"


def test_recounting_sets_the_counts_from_the_rows(debate, make_participant):
    author = make_participant().participant
    statuses = ["published", "published", "published", "pending", "rejected", "spam", "spam"]
    Comment.objects.bulk_create(  # an import: no comment is saved one by one
        Comment(debate=debate, participant=author, body=f"c{i}", body_html=f"<p>c{i}</p>", status=status)
        for i, status in enumerate(statuses)
    )
    assert stored_and_actual(debate) == ((0, 0, 0, 0, 0), (3, 3, 1, 1, 2))
    debate.recount_comments()
    assert stored_and_actual(debate) == ((3, 3, 1, 1, 2), (3, 3, 1, 1, 2))
    assert (debate.thread_count, debate.pending_count, debate.spam_count) == (3, 1, 2)


def test_the_page_and_the_api_show_the_kept_counts_and_a_viewers_own_held_comment(
    anon, api, debate, make_participant, no_rate_limits
):
    author = make_participant()
    api.post(URL, {"body": "A calm and clean remark."})
    api.post(URL, {"body": "Write to me at jane@example.org"}, key=author.key)  # held
    assert api.get(URL).json()["count"] == 1
    assert api.get(URL, key=author.key).json()["count"] == 2
    assert '<span class="count">(1)</span>' in anon.get("/").content.decode()


def test_an_edit_racing_a_moderators_decision_keeps_the_decision_and_the_counts(
    api, debate, moderator, make_participant, no_rate_limits, monkeypatch
):
    """The author's edit is screened before its transaction; a moderator who rejects
    the comment in that moment must not be written over by the edit (the edit and
    the deletion both act on the row read, locked, inside their transaction)."""
    from forum.debates import services

    author = make_participant()
    pk = api.post(URL, {"body": "Write to me at jane@example.org"}, key=author.key).json()["id"]  # held
    screen = services.screen

    def screen_while_a_moderator_decides(body, context):
        moderator.post(f"/moderation/comments/{pk}/decide/", {"action": "reject", "reason": "off_topic"})
        return screen(body, context)

    monkeypatch.setattr(services, "screen", screen_while_a_moderator_decides)
    response = api.patch(f"/api/v1/comments/{pk}", {"body": "Write to me, I mean it."}, key=author.key)
    assert response.status_code == HTTPStatus.OK
    comment = Comment.objects.get(pk=pk)
    assert (comment.status, comment.body) == ("rejected", "Write to me, I mean it.")
    stored, actual = stored_and_actual(debate)
    assert stored == actual == (0, 0, 0, 1, 0)


@pytest.mark.django_db(transaction=True)
def test_a_deletion_waiting_on_a_moderators_decision_counts_what_was_decided(debate, make_participant):
    """The author deletes a held comment while a moderator's approval of it is still
    in its transaction: the deletion waits, then removes a published comment."""
    author = make_participant().participant
    held = Comment.objects.create(
        debate=debate, participant=author, body="Held", body_html="<p>Held</p>", status=Comment.Status.PENDING
    )
    while_deciding(held.pk, Comment.Status.PUBLISHED, lambda: comment_delete(comment_id=held.pk, participant=author))
    assert not Comment.objects.filter(pk=held.pk).exists()
    assert stored_and_actual(debate) == ((0, 0, 0, 0, 0), (0, 0, 0, 0, 0))
