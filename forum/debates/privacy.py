"""A participant's rights over their data, and the retention purge.

See everything held (``participant_data``), erase everything at once
(``participant_erase``), change the key (``participant_rotate_key``), and the
scheduled removal of what has outlived its retention period
(``purge_expired_data``). The "My data" pages and ``/api/v1/me`` call these
same functions, so the page, the download and the API never disagree.

The public side never imports the moderation app. Apps that keep their own
references to a participant (the audit log) are told what was erased through
``settings.PRIVACY_ERASURE_HOOKS``, inside the erasure's transaction.
"""

import datetime
from collections import Counter, defaultdict

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.module_loading import import_string

from forum.lib import ratelimit
from forum.lib.hashing import key_hash
from forum.lib.screening import REASON_TEXT

from .models import (
    Appeal,
    Ballot,
    Ban,
    Comment,
    CommentRevision,
    Debate,
    Erasure,
    Like,
    NetworkPepper,
    Participant,
    Report,
)
from .network import current_period
from .services import Refused, comment_erase, new_key, vote_withdraw

FORMAT = "debate-forum/my-data"
FORMAT_VERSION = 1
# Moderators reject with codes that mostly match the report reasons; their labels explain them.
_REPORT_REASONS = dict(Report.Reason.choices)


def network_hash_expires_at(stored_at: datetime.datetime) -> datetime.datetime:
    """When a network hash stored at ``stored_at`` is due for removal."""
    return stored_at + datetime.timedelta(hours=settings.RETENTION_NETWORK_HASH_HOURS)


def my_data_rate_limit(*, participant: Participant | None, network_hash: str) -> None:
    """The abuse-level limit on the My data pages and API (RATE_LIMIT_MY_DATA).

    Counted per participant when the key is known, else per network, so that
    a reader on a shared network is never slowed down by the others on it.
    """
    ident = f"p{participant.pk}" if participant is not None else network_hash
    wait = ratelimit.hit("my-data", ident, settings.RATE_LIMIT_MY_DATA)
    if wait:
        raise Refused(
            "rate_limited",
            f"Too many requests for your data in a short time. Please wait {wait} seconds and try again.",
            status=429,
            retry_after=wait,
        )


# --------------------------------------------------------------------- see


def _held_hash(value: str, held_with: str, stored_at, **where) -> dict:
    """One network hash in "my data": what holds it, since when, until when."""
    return {
        "value": value,
        "held_with": held_with,
        **where,
        "stored_at": stored_at,
        "expires_at": network_hash_expires_at(stored_at),
    }


def participant_data(participant: Participant) -> dict:
    """Everything the site holds about a participant: plain values, dates and
    times, ready for ``DjangoJSONEncoder`` (the download) and ninja (the API).

    Every comment in every status with its moderation reasons, earlier
    versions and appeal; every ballot with its current and first choice;
    likes and reports given; bans; the network-prefix hashes held and when
    each is due to go; when the key was created. Seven queries whatever the
    amount of data.
    """
    comments = list(
        Comment.objects.filter(participant=participant)
        .select_related("debate", "stance", "appeal")
        .prefetch_related("revisions")
        .order_by("created_at", "pk")
    )
    ballots = list(
        Ballot.objects.filter(participant=participant)
        .select_related("debate", "option", "first_option")
        .order_by("cast_at", "pk")
    )
    likes = list(Like.objects.filter(participant=participant).select_related("comment__debate").order_by("created_at"))
    reports = list(
        Report.objects.filter(participant=participant).select_related("comment__debate").order_by("created_at")
    )
    bans = list(Ban.objects.filter(participant=participant).order_by("created_at"))

    hashes = [
        _held_hash(b.network_hash, "ballot", b.cast_at, ballot_debate=b.debate.slug) for b in ballots if b.network_hash
    ]
    hashes += [_held_hash(c.network_hash, "comment", c.created_at, comment_id=c.pk) for c in comments if c.network_hash]
    hashes += [_held_hash(b.network_hash, "ban", b.created_at, ban_id=b.pk) for b in bans if b.network_hash]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "site": settings.SITE_NAME,
        "participant": {
            "id": participant.pk,
            "key_created_at": participant.created_at,
            "last_seen_on": participant.last_seen_on,
            # The only trace of the key: its SHA-256. The key itself is not stored.
            "key_sha256": participant.key_hash,
        },
        "comments": [_comment_data(c) for c in comments],
        "appeals": [_appeal_data(c) for c in comments if _has_appeal(c)],
        "ballots": [
            {
                "debate": b.debate.slug,
                "question": b.debate.question,
                "current_choice": {"key": b.option.key, "label": b.option.label},
                "first_choice": {"key": b.first_option.key, "label": b.first_option.label},
                "changes": b.changes,
                "cast_at": b.cast_at,
                "updated_at": b.updated_at,
                "network_hash": b.network_hash or None,
            }
            for b in ballots
        ],
        "likes": [
            {
                "comment_id": like.comment_id,
                "debate": like.comment.debate.slug,
                "your_stance_when_liked": like.stance_key,
                "created_at": like.created_at,
            }
            for like in likes
        ],
        "reports": [
            {
                "comment_id": r.comment_id,
                "debate": r.comment.debate.slug,
                "reason": r.reason,
                "reason_label": r.get_reason_display(),
                "note": r.note,
                "created_at": r.created_at,
                "resolved_at": r.resolved_at,
            }
            for r in reports
        ],
        "bans": [
            {
                "id": b.pk,
                "reason": b.reason,
                "created_at": b.created_at,
                "expires_at": b.expires_at,
                "lifted_at": b.lifted_at,
                "covers_network_hash": b.network_hash or None,
            }
            for b in bans
        ],
        "network_hashes": hashes,
        "retention": retention_settings(),
    }


def _has_appeal(comment: Comment) -> bool:
    try:
        comment.appeal  # noqa: B018 - the reverse one-to-one raises when absent
    except Appeal.DoesNotExist:
        return False
    return True


def _appeal_data(comment: Comment) -> dict:
    appeal = comment.appeal
    return {
        "comment_id": comment.pk,
        "note": appeal.note,
        "created_at": appeal.created_at,
        "decided_at": appeal.decided_at,
        "outcome": appeal.outcome or None,
    }


def _comment_data(c: Comment) -> dict:
    return {
        "id": c.pk,
        "debate": c.debate.slug,
        "parent_id": c.parent_id,
        "reply_to_id": c.reply_to_id,
        "depth": c.depth,
        "author_name": c.author_name,
        "stance": {"key": c.stance.key, "label": c.stance.label} if c.stance else None,
        "body": c.body,
        "status": c.status,
        "status_label": c.get_status_display(),
        "reasons": [
            {"code": code, "text": REASON_TEXT.get(code) or _REPORT_REASONS.get(code, "")} for code in c.reasons
        ],
        "created_at": c.created_at,
        "edited_at": c.edited_at,
        "decided_at": c.decided_at,
        "likes": c.like_count,
        "likes_by_stance": c.likes_by_stance,
        "reports_received": c.report_count,
        "earlier_versions": [{"body": r.body, "written_at": r.created_at} for r in c.revisions.all()],
        "has_appeal": _has_appeal(c),
    }


def retention_settings() -> dict:
    """The retention periods in force, read from the live configuration."""
    return {
        "network_hash_hours": settings.RETENTION_NETWORK_HASH_HOURS,
        "network_pepper_rotation_hours": settings.NETWORK_PEPPER_ROTATION_HOURS,
        "rejected_comments_days": settings.RETENTION_REJECTED_COMMENTS_DAYS,
        "reports_days": settings.RETENTION_REPORTS_DAYS,
        "audit_days": settings.RETENTION_AUDIT_DAYS,
        "inactive_participant_days": settings.RETENTION_INACTIVE_PARTICIPANT_DAYS,
    }


def data_counts(data: dict) -> dict[str, int]:
    """How many of each kind of item ``participant_data`` returned."""
    return {
        "comments": len(data["comments"]),
        "earlier_versions": sum(len(c["earlier_versions"]) for c in data["comments"]),
        "appeals": len(data["appeals"]),
        "ballots": len(data["ballots"]),
        "likes": len(data["likes"]),
        "reports": len(data["reports"]),
        "bans": len(data["bans"]),
        # Distinct values, as the erasure counts them: a vote and a comment sent
        # from one network hold the same hash.
        "network_hashes": len({h["value"] for h in data["network_hashes"]}),
    }


COUNT_LABELS = {
    "participant": "Your key (the scrambled copy we kept)",
    "comments": "Comments, in every status",
    "placeholders_kept": "… of which left as a text-less “deleted” placeholder because others replied",
    "earlier_versions": "Earlier versions of edited comments",
    "appeals": "Appeals",
    "ballots": "Votes",
    "likes": "Likes given",
    "reports": "Reports made",
    "bans": "Bans",
    "network_hashes": "Network hashes (different values)",
    "moderatornote": "Moderators' notes about you",
    "audit_entries_redacted": "Moderation log entries no longer pointing at you",
}


def describe_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(label, count) rows in a fixed order, for the pages that list what is or was erased."""
    known = [(COUNT_LABELS[k], counts[k]) for k in COUNT_LABELS if k in counts]
    other = [(k.replace("_", " ").capitalize(), n) for k, n in counts.items() if k not in COUNT_LABELS]
    return known + other


# ------------------------------------------------------------------- erase


def participant_erase(participant: Participant, *, trigger: str = "request") -> dict[str, int]:
    """Erase everything about a participant at once, in one transaction.

    Comments go (a text-less placeholder stays only where others replied),
    the ballots are withdrawn through ``vote_withdraw`` so results and daily
    tallies follow, likes and reports are taken back with their counters,
    bans and network hashes go, and so does the participant, so the key no
    longer works. Every debate touched gets a new version, so no cached page
    or result shows the old data. ``PRIVACY_ERASURE_HOOKS`` redact other
    apps' references in the same transaction.

    An ``Erasure`` row records the counts and the time, nothing else;
    ``trigger`` says whether the participant asked ("request") or the
    retention purge did it ("inactive"). Returns the counts.
    """
    with transaction.atomic():
        participant = Participant.objects.select_for_update().filter(pk=participant.pk).first()
        if participant is None:
            raise Refused("not_found", "There is nothing to erase: this key was already erased.", status=404)
        targets: dict[str, set[str]] = defaultdict(set)
        targets["participant"].add(str(participant.pk))
        network_hashes = {
            *Ballot.objects.filter(participant=participant).values_list("network_hash", flat=True),
            *Ban.objects.filter(participant=participant).values_list("network_hash", flat=True),
            *Comment.objects.filter(participant=participant).values_list("network_hash", flat=True),
        } - {""}
        touched: set[int] = set()
        counts: Counter = Counter(dict.fromkeys(["ballots", "comments", "placeholders_kept"], 0))

        counts["likes"] = _take_back_likes(participant, targets, touched)
        counts["reports"] = _take_back_reports(participant, targets)

        for ballot in Ballot.objects.filter(participant=participant).select_related("debate"):
            targets["ballot"].add(str(ballot.pk))
            if vote_withdraw(debate=ballot.debate, participant=participant, relax=False):
                counts["ballots"] += 1

        own = Comment.objects.filter(participant=participant)
        targets["comment"].update(str(pk) for pk in own.values_list("pk", flat=True))
        targets["appeal"].update(
            str(pk) for pk in Appeal.objects.filter(comment__participant=participant).values_list("pk", flat=True)
        )
        targets["commentrevision"].update(
            str(pk)
            for pk in CommentRevision.objects.filter(comment__participant=participant).values_list("pk", flat=True)
        )
        counts["appeals"] = len(targets["appeal"])
        counts["earlier_versions"] = len(targets["commentrevision"])
        comment_counts = _erase_comments(own, touched)
        counts.update(comment_counts)

        bans = Ban.objects.filter(participant=participant)
        targets["ban"].update(str(pk) for pk in bans.values_list("pk", flat=True))
        counts["bans"] = len(targets["ban"])
        bans.delete()
        counts["network_hashes"] = len(network_hashes)

        for hook in _erasure_hooks():
            counts.update(hook(targets=dict(targets), network_hashes=network_hashes) or {})

        # Whatever else points at the participant with CASCADE (a moderator's
        # notes, say) goes with it; count it by model so the record is complete.
        _, deleted = participant.delete()
        for label, n in deleted.items():
            if label != Participant._meta.label and n:
                model_name = label.split(".")[-1].lower()
                counts[model_name] += n
        counts["participant"] = 1

        _bump_debates(touched)
        result = {key: counts[key] for key in sorted(counts)}
        Erasure.objects.create(counts={**result, "trigger": trigger})
    return result


def _take_back_likes(participant: Participant, targets, touched: set[int]) -> int:
    """Remove the participant's likes, keeping each comment's like counts exact."""
    likes = list(Like.objects.filter(participant=participant).values_list("pk", "comment_id", "stance_key"))
    by_comment: dict[int, Counter] = defaultdict(Counter)
    for pk, comment_id, stance_key in likes:
        targets["like"].add(str(pk))
        by_comment[comment_id][stance_key] += 1
    # Lock in id order, as every other writer of these counters does one at a time.
    for comment in Comment.objects.select_for_update().filter(pk__in=by_comment).order_by("pk"):
        counts = dict(comment.likes_by_stance)
        for stance_key, n in by_comment[comment.pk].items():
            counts[stance_key] = max(0, counts.get(stance_key, 0) - n)
        comment.likes_by_stance = {k: v for k, v in counts.items() if v}
        comment.like_count = sum(comment.likes_by_stance.values())
        comment.save(update_fields=["like_count", "likes_by_stance"])
        touched.add(comment.debate_id)
    Like.objects.filter(participant=participant).delete()
    return len(likes)


def _take_back_reports(participant: Participant, targets) -> int:
    """Remove the participant's reports as if never made; each comment's report count follows."""
    reports = list(Report.objects.filter(participant=participant).values_list("pk", "comment_id"))
    per_comment = Counter(comment_id for _, comment_id in reports)
    for comment_id, n in per_comment.items():
        Comment.objects.filter(pk=comment_id).update(report_count=Greatest(F("report_count") - n, 0))
    targets["report"].update(str(pk) for pk, _ in reports)
    Report.objects.filter(participant=participant).delete()
    return len(reports)


def _erase_comments(comments, touched: set[int]) -> Counter:
    """Erase comments deepest and newest first (a reply beside the comment it
    answers is at the same depth, and newer), so one's own reply never forces a
    placeholder on one's own comment; one stays only where someone else replied."""
    counts: Counter = Counter()
    for pk in list(comments.order_by("-depth", "-pk").values_list("pk", flat=True)):
        comment = Comment.objects.filter(pk=pk).first()
        if comment is None:  # already gone with an erased thread
            continue
        touched.add(comment.debate_id)
        comment_erase(comment)  # turns the instance into the placeholder when one must stay
        counts["comments"] += 1
        if comment.status == Comment.Status.DELETED:
            counts["placeholders_kept"] += 1
    counts.setdefault("comments", 0)
    counts.setdefault("placeholders_kept", 0)
    return counts


def _bump_debates(debate_ids) -> None:
    """New versions for the debates touched, so every cached view of them changes
    now (the same rule as ``services._bump``, for several debates in one UPDATE)."""
    if debate_ids:
        Debate.objects.filter(pk__in=debate_ids).update(version=F("version") + 1)


def _erasure_hooks():
    return [import_string(path) for path in settings.PRIVACY_ERASURE_HOOKS]


# -------------------------------------------------------------------- keys


def participant_rotate_key(participant: Participant) -> str:
    """Give the participant a new key and return it (shown once); the old key stops working.

    The new key is made as ``participant_create`` makes one; only its hash is stored.
    """
    key = new_key()
    # Conditional on the old hash, so two rotations at once cannot both win.
    changed = Participant.objects.filter(pk=participant.pk, key_hash=participant.key_hash).update(
        key_hash=key_hash(key)
    )
    if not changed:
        raise Refused(
            "conflict", "Your key was changed or erased meanwhile. Reload the page and try again.", status=409
        )
    participant.key_hash = key_hash(key)
    return key


# ------------------------------------------------------------------- purge


def purge_expired_data(now: datetime.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Remove what the public side holds past its retention period; returns counts.

    Idempotent: a second run finds nothing more. With ``dry_run`` nothing
    changes and the counts say what a real run would remove. Inactive
    participants go last and are counted as participants (each is erased as
    if it had asked), so the other counts never include the same row twice.

    - network hashes on ballots and bans older than RETENTION_NETWORK_HASH_HOURS
      (a ban on a network alone has nothing left once its hash goes, so it goes);
    - every network pepper but the current and the previous period's, which is
      what makes any copy of an older hash unlinkable to a network;
    - rejected and spam comments decided more than RETENTION_REJECTED_COMMENTS_DAYS ago;
    - reports older than RETENTION_REPORTS_DAYS (the comment keeps its count);
    - expired rows of the database cache (rate-limit counters keyed on network
      hashes and participants, cached peppers), which that backend keeps until
      it happens to cull them;
    - participants not seen for RETENTION_INACTIVE_PARTICIPANT_DAYS.

    The audit log lives in the moderation app; its purge is in the
    ``purge_expired_data`` command.
    """
    now = now or timezone.now()
    counts: dict[str, int] = {}
    hash_cutoff = now - datetime.timedelta(hours=settings.RETENTION_NETWORK_HASH_HOURS)

    ballots = Ballot.objects.filter(cast_at__lt=hash_cutoff).exclude(network_hash="")
    counts["ballot_network_hashes"] = ballots.count() if dry_run else ballots.update(network_hash="")
    commented = Comment.objects.filter(created_at__lt=hash_cutoff).exclude(network_hash="")
    counts["comment_network_hashes"] = commented.count() if dry_run else commented.update(network_hash="")

    bans = Ban.objects.filter(created_at__lt=hash_cutoff).exclude(network_hash="")
    network_only = bans.filter(participant__isnull=True)
    with_participant = bans.filter(participant__isnull=False)
    if dry_run:
        counts["ban_network_hashes"] = bans.count()
    else:
        counts["ban_network_hashes"] = with_participant.update(network_hash="") + network_only.delete()[0]

    peppers = NetworkPepper.objects.filter(period__lt=current_period(now) - 1)
    periods = list(peppers.values_list("period", flat=True))
    counts["network_peppers"] = len(periods)
    if not dry_run and periods:
        peppers.delete()
        cache.delete_many([f"pepper:{period}" for period in periods])

    rejected_cutoff = now - datetime.timedelta(days=settings.RETENTION_REJECTED_COMMENTS_DAYS)
    rejected = Comment.objects.filter(status__in=[Comment.Status.REJECTED, Comment.Status.SPAM]).filter(
        Q(decided_at__lt=rejected_cutoff) | Q(decided_at__isnull=True, created_at__lt=rejected_cutoff)
    )
    if dry_run:
        counts["rejected_comments"] = rejected.count()
    else:
        touched: set[int] = set()
        with transaction.atomic():
            counts["rejected_comments"] = _erase_comments(rejected, touched)["comments"]
            _bump_debates(touched)

    reports = Report.objects.filter(created_at__lt=now - datetime.timedelta(days=settings.RETENTION_REPORTS_DAYS))
    counts["reports"] = reports.count() if dry_run else reports.delete()[0]

    counts["expired_cache_entries"] = _purge_expired_cache_rows(dry_run=dry_run)

    inactive_since = now.date() - datetime.timedelta(days=settings.RETENTION_INACTIVE_PARTICIPANT_DAYS)
    inactive = Participant.objects.filter(last_seen_on__lt=inactive_since).order_by("pk")
    if dry_run:
        counts["inactive_participants"] = inactive.count()
    else:
        erased = 0
        # Ids first: SQLite gives no isolation between a running SELECT and
        # deletes on the same connection.
        for pk in list(inactive.values_list("pk", flat=True)):
            try:
                participant_erase(Participant(pk=pk), trigger="inactive")
                erased += 1
            except Refused:  # erased by its owner meanwhile
                pass
        counts["inactive_participants"] = erased
    return counts


def _purge_expired_cache_rows(*, dry_run: bool) -> int:
    """Delete expired rows of the database cache, which Django only culls when full.

    Its keys hold network hashes (rate limits) and its values the peppers, so
    an expired row left behind would outlive the retention promise. Redis
    removes expired keys itself; other backends have nothing to do here.
    Cache expiry is in real time, whatever ``now`` the purge was given.
    """
    backend = caches["default"]
    if not isinstance(backend, DatabaseCache):
        return 0
    db = router.db_for_write(backend.cache_model_class)
    connection = connections[db]
    table = connection.ops.quote_name(backend._table)
    expires = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    verb = "SELECT COUNT(*)" if dry_run else "DELETE"
    with connection.cursor() as cursor:
        cursor.execute(f"{verb} FROM {table} WHERE expires < %s", [expires])  # the table name is ours, from settings
        return cursor.fetchone()[0] if dry_run else cursor.rowcount
