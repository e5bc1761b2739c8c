"""Bulk actions on the selected comments of the queue."""

from http import HTTPStatus

import pytest

from forum.debates.models import Ban, Comment
from forum.moderation.models import AuditEntry

Status = Comment.Status


@pytest.fixture
def three(make_comment):
    return [make_comment(f"held {i}") for i in range(3)]


@pytest.mark.parametrize(
    ("action", "extra", "status", "said"),
    [
        ("approve", {}, Status.PUBLISHED, "Approved 3 comments."),
        ("reject", {"reason": "off_topic"}, Status.REJECTED, "Rejected 3 comments."),
        ("spam", {}, Status.SPAM, "Marked 3 comments as spam."),
    ],
)
def test_bulk_decisions_apply_to_every_selected_comment(moderator, three, make_comment, action, extra, status, said):
    untouched = make_comment("not selected")
    response = moderator.post(
        "/moderation/bulk/?tab=pending", {"ids": [c.pk for c in three], "action": action, **extra}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert {c.status for c in Comment.objects.filter(pk__in=[c.pk for c in three])} == {status}
    assert Comment.objects.get(pk=untouched.pk).status == Status.PENDING
    assert AuditEntry.objects.filter(action=f"comment.{action}").count() == 3
    page = moderator.get(response["Location"]).content.decode()
    assert said in page


def test_bulk_ban_bans_each_author_once(moderator, make_comment, make_participant):
    author = make_participant().participant
    mine = [make_comment(f"c{i}", participant=author) for i in range(2)]
    other = make_comment("other")
    moderator.post(
        "/moderation/bulk/",
        {"ids": [*(c.pk for c in mine), other.pk], "action": "ban", "duration": "1w", "ban_reason": "Brigading"},
    )
    assert Ban.objects.active().count() == 2
    assert set(Ban.objects.values_list("participant_id", flat=True)) == {author.pk, other.participant_id}
    assert set(Ban.objects.values_list("reason", flat=True)) == {"Brigading"}


@pytest.mark.parametrize("scope", ["participant", "network"])
def test_bulk_ban_blocks_the_networks_or_the_authors_only_as_chosen(moderator, three, scope):
    Comment.objects.filter(pk__in=[c.pk for c in three]).update(network_hash="0123abcd0123abcd")
    page = moderator.get("/moderation/").content.decode()
    assert 'name="ban_scope" value="participant" aria-describedby="bulk-ban-note">' in page  # unticked: networks too
    assert "Blocking the network the author last used" in page
    moderator.post(
        "/moderation/bulk/",
        {
            "ids": [c.pk for c in three],
            "action": "ban",
            "duration": "1d",
            "ban_reason": "Brigading",
            "ban_scope": scope,
        },
    )
    hashes = set(Ban.objects.values_list("network_hash", flat=True))
    assert hashes == ({""} if scope == "participant" else {"0123abcd0123abcd"})
    assert {e.details["scope"] for e in AuditEntry.objects.filter(action="ban.create")} == {scope}


def test_the_bulk_api_bans_the_authors_only_when_told(moderator, three):
    Comment.objects.filter(pk__in=[c.pk for c in three]).update(network_hash="0123abcd0123abcd")
    body = {"ids": [three[0].pk], "action": "ban", "duration": "1d", "ban_reason": "Brigading", "covers_network": False}
    response = moderator.post("/api/v1/moderation/bulk", body, content_type="application/json")
    assert response.json() == {"done": 1, "refused": []}
    assert Ban.objects.get().network_hash == ""


def test_bulk_unban_lifts_the_authors_bans(moderator, three):
    for c in three:
        moderator.post(f"/moderation/participants/{c.participant_id}/ban/", {"duration": "1d", "reason": "x"})
    lifted = moderator.post("/moderation/bulk/", {"ids": [c.pk for c in three], "action": "unban"})
    assert not Ban.objects.active().exists()
    assert "Lifted the bans of 3 authors." in moderator.get(lifted["Location"]).content.decode()


def test_a_bulk_ban_without_reason_keeps_the_selection_and_says_why(moderator, three):
    response = moderator.post(
        "/moderation/bulk/?tab=pending",
        {"ids": [three[0].pk, three[2].pk], "action": "ban", "duration": "1d", "ban_reason": ""},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "Give a reason for the ban" in html
    assert html.count("data-select checked") == 2
    assert not Ban.objects.exists()


def test_a_bulk_action_with_nothing_selected_says_so(moderator, three):
    response = moderator.post("/moderation/bulk/", {"action": "approve"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Select at least one comment." in response.content.decode()


def test_a_bulk_reject_without_reason_changes_nothing(moderator, three):
    response = moderator.post("/moderation/bulk/", {"ids": [c.pk for c in three], "action": "reject"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Comment.objects.exclude(status=Status.PENDING).exists()


def test_bulk_skips_comments_that_vanished_and_does_the_rest(moderator, three):
    gone = three[1].pk
    three[1].delete()
    response = moderator.post(
        "/api/v1/moderation/bulk",
        {"ids": [three[0].pk, gone, three[2].pk], "action": "approve"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["done"] == 2
    assert len(response.json()["refused"]) == 1


def test_bulk_garbage_ids_are_refused_cleanly(moderator, three):
    response = moderator.post("/moderation/bulk/", {"ids": ["1; drop table", "x"], "action": "approve"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
