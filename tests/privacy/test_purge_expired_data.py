"""Retention with time travel: rows made with old timestamps, then the purge command."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command, load_command_class
from django.db import connection
from django.utils import timezone

from forum.debates.models import (
    Appeal,
    Ballot,
    Ban,
    Comment,
    Debate,
    Erasure,
    Like,
    NetworkPepper,
    Participant,
    Report,
)
from forum.debates.network import current_period, pepper_for
from forum.debates.privacy import purge_expired_data
from forum.debates.services import participant_create
from forum.moderation.audit import audit_record
from forum.moderation.models import AuditEntry


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_expired_data", *args, stdout=out)
    return out.getvalue()


def person(*, last_seen_days_ago: int = 0) -> Participant:
    participant, _ = participant_create()
    Participant.objects.filter(pk=participant.pk).update(
        last_seen_on=timezone.localdate() - datetime.timedelta(days=last_seen_days_ago)
    )
    return participant


def comment(debate, participant, body, *, status="published", parent=None, created=None, decided=None) -> Comment:
    c = Comment.objects.create(
        debate=debate,
        participant=participant,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        body=body,
        body_html=f"<p>{body}</p>",
        status=status,
        created_at=created or timezone.now(),
        decided_at=decided,
    )
    Comment.objects.filter(pk=c.pk).update(thread=parent.thread_id if parent else c.pk)
    c.refresh_from_db()
    return c


@pytest.fixture
def aged(debate, settings):
    """One row on each side of every retention limit (limits from settings)."""
    settings.RETENTION_NETWORK_HASH_HOURS = 72
    settings.RETENTION_REJECTED_COMMENTS_DAYS = 30
    settings.RETENTION_REPORTS_DAYS = 180
    settings.RETENTION_AUDIT_DAYS = 365
    settings.RETENTION_INACTIVE_PARTICIPANT_DAYS = 730
    settings.NETWORK_PEPPER_ROTATION_HOURS = 24
    first, second = list(debate.options.all())[:2]
    active = person()
    other = person()
    rows = {"active": active, "other": other}

    rows["old_ballot"] = Ballot.objects.create(
        debate=debate,
        participant=active,
        option=first,
        first_option=first,
        cast_at=ago(hours=73),
        network_hash="a" * 32,
    )
    rows["new_ballot"] = Ballot.objects.create(
        debate=debate,
        participant=other,
        option=second,
        first_option=second,
        cast_at=ago(hours=71),
        network_hash="b" * 32,
    )
    rows["old_ban"] = Ban.objects.create(
        participant=active, network_hash="c" * 32, reason="old", created_at=ago(hours=80)
    )
    rows["old_network_ban"] = Ban.objects.create(network_hash="d" * 32, reason="network", created_at=ago(hours=80))
    rows["new_network_ban"] = Ban.objects.create(network_hash="e" * 32, reason="fresh", created_at=ago(hours=1))

    for period in (current_period() - 3, current_period() - 2, current_period() - 1, current_period()):
        pepper_for(period)

    rows["old_rejected"] = comment(debate, active, "Old rejected.", status="rejected", decided=ago(days=31))
    rows["new_rejected"] = comment(debate, active, "New rejected.", status="rejected", decided=ago(days=29))
    rows["old_spam"] = comment(debate, active, "Old spam.", status="spam", created=ago(days=40))
    rows["old_rejected_with_reply"] = comment(
        debate, active, "Rejected, replied to.", status="rejected", decided=ago(days=60)
    )
    rows["reply"] = comment(debate, other, "A reply to it.", parent=rows["old_rejected_with_reply"])
    Appeal.objects.create(comment=rows["old_rejected"], note="Please.")
    rows["published"] = comment(debate, active, "Published long ago.", created=ago(days=400))

    rows["old_report"] = Report.objects.create(
        comment=rows["published"], participant=other, reason="spam", created_at=ago(days=181)
    )
    target = comment(debate, other, "Reported recently.")
    rows["new_report"] = Report.objects.create(
        comment=target, participant=active, reason="spam", created_at=ago(days=1)
    )

    rows["old_audit"] = AuditEntry.objects.create(
        action="comment.reject", target_type="comment", target_id=str(rows["published"].pk), created_at=ago(days=366)
    )
    rows["new_audit"] = audit_record(action="comment.approve", target=rows["published"])

    inactive = person(last_seen_days_ago=731)
    rows["inactive"] = inactive
    rows["inactive_comment"] = comment(debate, inactive, "From a reader long gone.")
    Like.objects.create(comment=rows["published"], participant=inactive, stance_key="none")
    Comment.objects.filter(pk=rows["published"].pk).update(like_count=1, likes_by_stance={"none": 1})
    rows["nearly_inactive"] = person(last_seen_days_ago=729)
    return rows


def exists(obj) -> bool:
    return type(obj)._base_manager.filter(pk=obj.pk).exists()


def test_the_purge_removes_exactly_what_has_expired(aged, debate):
    version = Debate.objects.get().version
    output = purge()
    assert "Purged" in output

    # Network hashes: older than 72 hours cleared, a network-only ban with nothing left deleted.
    assert Ballot.objects.get(pk=aged["old_ballot"].pk).network_hash == ""
    assert Ballot.objects.get(pk=aged["new_ballot"].pk).network_hash == "b" * 32
    ban = Ban.objects.get(pk=aged["old_ban"].pk)
    assert (ban.network_hash, ban.participant_id) == ("", aged["active"].pk)
    assert not exists(aged["old_network_ban"])
    assert exists(aged["new_network_ban"])

    # Peppers: only the current and the previous period's survive, in the database and the cache.
    assert sorted(NetworkPepper.objects.values_list("period", flat=True)) == [current_period() - 1, current_period()]
    assert cache.get(f"pepper:{current_period() - 2}") is None

    # Rejected and spam comments past 30 days go; one with a reply leaves a text-less placeholder.
    assert not exists(aged["old_rejected"])
    assert not exists(aged["old_spam"])
    assert exists(aged["new_rejected"])
    placeholder = Comment.objects.get(pk=aged["old_rejected_with_reply"].pk)
    assert (placeholder.status, placeholder.body, placeholder.participant_id) == ("deleted", "", None)
    assert exists(aged["reply"])
    assert not Appeal.objects.exists()
    assert Debate.objects.get().version > version

    # Reports past 180 days, audit entries past 365 days.
    assert not exists(aged["old_report"])
    assert exists(aged["new_report"])
    assert not exists(aged["old_audit"])
    assert exists(aged["new_audit"])

    # Participants unseen for 730 days are erased as if they had asked.
    assert not exists(aged["inactive"])
    assert not exists(aged["inactive_comment"])
    assert Comment.objects.get(pk=aged["published"].pk).like_count == 0
    assert exists(aged["nearly_inactive"])
    assert exists(aged["active"])
    record = Erasure.objects.get()
    assert record.counts["trigger"] == "inactive"
    assert record.counts["comments"] == 1


def test_a_second_run_finds_nothing_more(aged):
    purge()
    snapshot = {m: m.objects.count() for m in (Ballot, Ban, NetworkPepper, Comment, Report, AuditEntry, Participant)}
    counts = purge_expired_data()
    assert {k: v for k, v in counts.items() if k != "expired_cache_entries"} == dict.fromkeys(
        [
            "ballot_network_hashes",
            "comment_network_hashes",
            "ban_network_hashes",
            "network_peppers",
            "rejected_comments",
            "reports",
            "inactive_participants",
        ],
        0,
    )
    assert "Nothing has expired." in purge()
    assert snapshot == {m: m.objects.count() for m in snapshot}
    assert Erasure.objects.count() == 1


def test_a_dry_run_counts_the_same_items_and_changes_nothing(aged):
    before = {m: list(m._base_manager.values()) for m in (Ballot, Ban, NetworkPepper, Comment, Report, Participant)}
    dry = purge_expired_data(dry_run=True)
    output = purge("--dry-run")
    assert "nothing was changed" in output
    assert before == {m: list(m._base_manager.values()) for m in before}
    assert AuditEntry.objects.count() == 2
    real = purge_expired_data()
    assert {k: v for k, v in dry.items() if k != "expired_cache_entries"} == {
        k: v for k, v in real.items() if k != "expired_cache_entries"
    }
    assert dry["ballot_network_hashes"] == 1
    assert dry["ban_network_hashes"] == 2
    assert dry["network_peppers"] == 2
    assert dry["rejected_comments"] == 3
    assert dry["reports"] == 1
    assert dry["inactive_participants"] == 1


def test_verbosity_zero_is_silent_and_two_lists_every_kind_with_the_limits(aged):
    assert purge("--dry-run", "--verbosity", "0") == ""
    output = purge("--dry-run", "--verbosity", "2")
    assert "network hashes 72 h" in output
    assert "audit 365 d" in output
    assert "audit entries deleted" in output
    assert "inactive participants erased" in output


def test_the_command_explains_itself():
    command = load_command_class("forum.moderation", "purge_expired_data")
    assert "Idempotent" in command.help
    assert "--dry-run" in command.create_parser("manage.py", "purge_expired_data").format_help()


def test_expired_rows_of_the_database_cache_are_deleted(db, settings):
    if "db" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("Redis expires keys itself")
    cache.set("rl:comment-net:60:deadbeef:1", 1, timeout=1)
    cache.set("keep", 1, timeout=3600)
    an_hour_ago = connection.ops.adapt_datetimefield_value(ago(hours=1).replace(microsecond=0))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE forum_cache SET expires = %s WHERE cache_key LIKE %s", [an_hour_ago, "%deadbeef%"])
    assert purge_expired_data()["expired_cache_entries"] == 1
    assert cache.get("keep") == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM forum_cache WHERE cache_key LIKE %s", ["%deadbeef%"])
        assert cursor.fetchone()[0] == 0


def test_comment_network_hashes_go_after_retention_and_show_in_my_data(db, debate, settings):
    import datetime

    from django.utils import timezone

    from forum.debates.models import Comment
    from forum.debates.privacy import participant_data, purge_expired_data
    from forum.debates.services import participant_create

    participant, _ = participant_create()
    old = Comment.objects.create(
        debate=debate,
        participant=participant,
        body="old",
        network_hash="a" * 32,
        created_at=timezone.now() - datetime.timedelta(hours=settings.RETENTION_NETWORK_HASH_HOURS + 1),
    )
    new = Comment.objects.create(debate=debate, participant=participant, body="new", network_hash="b" * 32)
    held = {h["value"] for h in participant_data(participant)["network_hashes"] if h["held_with"] == "comment"}
    assert held == {"a" * 32, "b" * 32}
    assert purge_expired_data()["comment_network_hashes"] == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.network_hash == ""
    assert new.network_hash == "b" * 32
    assert purge_expired_data()["comment_network_hashes"] == 0


def test_audit_entries_lose_their_network_hash_with_the_ballots_and_keep_the_rest(db, reader):
    """A ban's entry names the participant beside the hash; neither the log nor
    a later export may tie them together for longer than a ballot keeps its hash."""
    old = AuditEntry.objects.create(
        action="ban.create",
        target_type="ban",
        target_id="7",
        reason="Abuse",
        network_hash="a" * 32,
        details={"participant": reader.participant.pk, "scope": "network"},
        created_at=ago(hours=73),
    )
    fresh = audit_record(action="security.forbidden", network_hash="b" * 32, details={"path": "/"})
    assert "1  network hashes cleared from audit entries" in purge("--dry-run")
    assert AuditEntry.objects.get(pk=old.pk).network_hash == "a" * 32

    assert "1  network hashes cleared from audit entries" in purge()
    kept = AuditEntry.objects.get(pk=old.pk)
    assert kept.network_hash == ""
    assert (kept.created_at, kept.action, kept.target_id, kept.reason, kept.details) == (
        old.created_at,
        old.action,
        old.target_id,
        old.reason,
        old.details,
    )
    assert AuditEntry.objects.get(pk=fresh.pk).network_hash == "b" * 32
    assert "network hashes cleared from audit entries" not in purge()
