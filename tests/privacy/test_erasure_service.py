"""participant_erase and participant_rotate_key, rule by rule."""

import pytest
from django.contrib.auth import get_user_model

from forum.debates.models import Ban, Comment, Debate, Like, Participant, Report
from forum.debates.privacy import participant_erase, participant_rotate_key
from forum.debates.services import (
    Refused,
    comment_create,
    like_toggle,
    participant_create,
    participant_from_key,
    report_create,
    vote_cast,
)
from forum.moderation.audit import audit_record
from forum.moderation.models import AuditEntry


@pytest.fixture
def people(debate, no_rate_limits):
    return [participant_create()[0] for _ in range(3)]


def test_one_cannot_erase_twice(people):
    participant_erase(people[0])
    with pytest.raises(Refused) as refused:
        participant_erase(people[0])
    assert refused.value.status == 404


def test_a_thread_of_ones_own_comments_goes_entirely(debate, people):
    me = people[0]
    top = comment_create(debate=debate, participant=me, body="Top.").comment
    above = top
    for level in range(1, 5):  # the fourth answers the third from beside it
        above = comment_create(debate=debate, participant=me, body=f"Level {level}.", parent_id=above.pk).comment
    assert above.reply_to_id is not None
    counts = participant_erase(me)
    assert counts["comments"] == 5
    assert counts["placeholders_kept"] == 0
    assert not Comment.objects.exists()


def test_likes_taken_back_keep_each_stance_count_exact(debate, people):
    author, me, other = people
    first, second = list(debate.options.all())[:2]
    vote_cast(debate=debate, participant=me, option_key=first.key)
    vote_cast(debate=debate, participant=other, option_key=second.key)
    liked = comment_create(debate=debate, participant=author, body="Worth liking.").comment
    like_toggle(comment_id=liked.pk, participant=me)
    like_toggle(comment_id=liked.pk, participant=other)
    participant_erase(me)
    liked.refresh_from_db()
    assert liked.likes_by_stance == {second.key: 1}
    assert liked.like_count == 1
    assert Like.objects.count() == 1


def test_reports_taken_back_lower_the_report_count(debate, people):
    author, me, other = people
    reported = comment_create(debate=debate, participant=author, body="Reported.").comment
    report_create(comment_id=reported.pk, participant=me, reason="spam")
    report_create(comment_id=reported.pk, participant=other, reason="abuse")
    participant_erase(me)
    reported.refresh_from_db()
    assert reported.report_count == 1
    assert list(Report.objects.values_list("participant", flat=True)) == [other.pk]


def test_every_debate_touched_gets_a_new_version(debate, people):
    author, me, _ = people
    liked = comment_create(debate=debate, participant=author, body="Liked.").comment
    like_toggle(comment_id=liked.pk, participant=me)
    version = Debate.objects.get().version
    participant_erase(me)
    assert Debate.objects.get().version > version


def test_a_ban_on_a_whole_network_is_not_lifted_by_one_participants_erasure(debate, people):
    me = people[0]
    mine = Ban.objects.create(participant=me, network_hash="f" * 32, reason="Mine")
    network = Ban.objects.create(network_hash="f" * 32, reason="A burst from this network")
    counts = participant_erase(me)
    assert counts["bans"] == 1
    assert not Ban.objects.filter(pk=mine.pk).exists()
    assert Ban.objects.filter(pk=network.pk).exists()


def test_the_audit_log_keeps_each_decision_but_loses_the_pointer(debate, people):
    me, other = people[:2]
    mine = comment_create(debate=debate, participant=me, body="Decided on.").comment
    theirs = comment_create(debate=debate, participant=other, body="Not mine.").comment
    audit_record(
        action="comment.reject", target=mine, reason="abuse", status_before="published", status_after="rejected"
    )
    kept = audit_record(action="comment.reject", target=theirs, reason="spam")
    original = AuditEntry.objects.get(target_id=str(mine.pk), target_type="comment")
    assert participant_erase(me)["audit_entries_redacted"] == 1
    redacted = AuditEntry.objects.get(pk=original.pk)
    assert redacted.created_at == original.created_at
    assert (redacted.action, redacted.reason, redacted.status_before, redacted.status_after) == (
        "comment.reject",
        "abuse",
        "published",
        "rejected",
    )
    assert (redacted.target_type, redacted.target_id, redacted.details) == ("comment", "", {"redacted": "erasure"})
    assert AuditEntry.objects.get(pk=kept.pk).target_id == str(theirs.pk)


def test_rotating_gives_a_new_key_and_the_old_one_stops_working(people):
    participant, old_key = participant_create()
    new_key = participant_rotate_key(participant)
    assert participant_from_key(old_key) is None
    assert participant_from_key(new_key).pk == participant.pk


def test_two_rotations_from_the_same_state_cannot_both_win(people):
    participant, _ = participant_create()
    stale = Participant.objects.get(pk=participant.pk)
    participant_rotate_key(participant)
    with pytest.raises(Refused) as refused:
        participant_rotate_key(stale)
    assert refused.value.status == 409


def test_an_erasure_leaves_others_entries_from_the_same_network_alone(debate, people):
    """A network hash stands for a network, not a person: a reader's erasure takes it
    from the refusals no one signed, not from a moderator's or another reader's entries."""
    me, other = people[:2]
    network = "e" * 32
    comment_create(debate=debate, participant=me, body="From the office network.", network_hash=network)
    moderator = get_user_model().objects.create_user(username="mod", email="mod@example.org", password="x" * 20)
    refusal = audit_record(action="security.rate_limited", network_hash=network, details={"path": "/"})
    login = audit_record(action="security.login", actor=moderator, network_hash=network)
    ban = audit_record(action="ban.create", actor=moderator, target=other, network_hash=network)
    assert participant_erase(me)["audit_entries_redacted"] == 1
    assert AuditEntry.objects.get(pk=refusal.pk).network_hash == ""
    assert AuditEntry.objects.get(pk=login.pk).network_hash == network
    assert AuditEntry.objects.get(pk=ban.pk).network_hash == network
    assert "redacted" not in AuditEntry.objects.get(pk=ban.pk).details
