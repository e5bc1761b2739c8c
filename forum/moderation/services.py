"""Moderator actions. The queue pages, their bulk forms and the JSON API all call
these, and every one of them writes the audit log in the same transaction.

Each raises ``Refused`` (from the public side's services) when a rule says no,
so the views answer with a message instead of an error page.
"""

import dataclasses
import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from forum.debates.models import Appeal, Ballot, Ban, Comment, DailyTally, Debate, Participant, WordRule
from forum.debates.services import Refused, normalise_text, screening_context
from forum.lib.screening import Action, screen

from .audit import audit_record
from .models import BanDuration, ModeratorNote, RejectReason, TransparencyTally
from .transparency import tally

Status = Comment.Status
Outcome = TransparencyTally.Outcome


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    ALL = (APPROVE, REJECT, SPAM)


def _bump(debate_id: int) -> None:
    """Invalidate every cached view of the debate (cache keys carry its version)."""
    Debate.objects.filter(pk=debate_id).update(version=F("version") + 1)


def _locked_comment(comment_id: int) -> Comment:
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None or comment.status == Status.DELETED:
        raise Refused("not_found", "That comment no longer exists: its author may have deleted it.", status=404)
    return comment


def _decide_appeal(comment: Comment, outcome: str, now) -> bool:
    return bool(Appeal.objects.filter(comment=comment, decided_at__isnull=True).update(decided_at=now, outcome=outcome))


def comment_decide(*, comment_id: int, moderator, decision: str, reason: str = "") -> Comment:
    """Approve, reject (with a reason from the fixed list) or mark a comment as spam.

    Approving publishes a held comment, or keeps a reported one and closes its
    reports. Rejecting a published comment counts as a removal in the
    transparency report. An open appeal is decided along with the comment.
    """
    if decision not in Decision.ALL:
        raise Refused("invalid", "Choose approve, reject or spam.", fields={"action": "unknown"})
    if decision == Decision.REJECT and reason not in RejectReason.values:
        raise Refused("invalid", "Choose a reason for the rejection from the list.", fields={"reason": "required"})
    if decision == Decision.SPAM:
        reason = RejectReason.SPAM
    elif decision == Decision.APPROVE:
        reason = ""  # the item's reason menu is sent with every decision; an approval has no reason
    now = timezone.now()
    with transaction.atomic():
        comment = _locked_comment(comment_id)
        before = comment.status
        open_reports = comment.reports.filter(resolved_at__isnull=True).update(resolved_at=now)
        appeal_decided = False
        if decision == Decision.APPROVE:
            comment.status = Status.PUBLISHED
            appeal_decided = _decide_appeal(comment, "granted", now)
        else:
            comment.status = Status.REJECTED if decision == Decision.REJECT else Status.SPAM
            # Taking a published comment down starts its reasons afresh: why it was
            # held before was decided when it was published.
            earlier = [] if before == Status.PUBLISHED else [r for r in comment.reasons if r != reason]
            comment.reasons = [*earlier, reason]
            appeal_decided = _decide_appeal(comment, "upheld", now)
        comment.decided_at = now
        comment.save(update_fields=["status", "reasons", "decided_at"])
        # A comment hidden by readers' reports had been public: taking it down is a removal.
        was_public = before == Status.PUBLISHED or (before == Status.PENDING and "reports" in comment.reasons)
        _count_decision(before, comment.status, reason, was_public=was_public)
        _bump(comment.debate_id)
        audit_record(
            action=f"comment.{decision}",
            actor=moderator,
            target=comment,
            reason=reason,
            status_before=before,
            status_after=comment.status,
            details={"reports_closed": open_reports, "appeal_decided": appeal_decided, "debate": comment.debate_id},
        )
    return comment


def _count_decision(before: str, after: str, reason: str, *, was_public: bool) -> None:
    if after == Status.PUBLISHED:
        if not was_public:  # counted when it first went public
            tally(Outcome.PUBLISHED)
        return
    if before == after:  # rejected again for another reason: already counted
        return
    outcome = Outcome.REMOVED if was_public else Outcome.REJECTED
    tally(outcome)
    tally(outcome, [reason])


@dataclass
class BulkResult:
    done: int
    refused: list[str]


def comments_decide(*, comment_ids: list[int], moderator, decision: str, reason: str = "") -> BulkResult:
    """The bulk version of ``comment_decide``: each comment on its own, so one
    that vanished meanwhile does not undo the others."""
    done, refused = 0, []
    for comment_id in dict.fromkeys(comment_ids):
        try:
            comment_decide(comment_id=comment_id, moderator=moderator, decision=decision, reason=reason)
            done += 1
        except Refused as exc:
            refused.append(f"#{comment_id}: {exc.message}")
    return BulkResult(done, refused)


# ------------------------------------------------------------------------ bans


def latest_network_hash(participant: Participant) -> str:
    """The most recent keyed network hash known for a participant, or ''.

    Ballots and comments keep one, only for RETENTION_NETWORK_HASH_HOURS and
    under a pepper that rotates; see docs/moderation.md on what that means
    for bans.
    """
    seen = [
        Ballot.objects.filter(participant=participant)
        .exclude(network_hash="")
        .order_by("-updated_at")
        .values_list("updated_at", "network_hash")
        .first(),
        Comment.objects.filter(participant=participant)
        .exclude(network_hash="")
        .order_by("-created_at")
        .values_list("created_at", "network_hash")
        .first(),
    ]
    seen = [row for row in seen if row]
    return max(seen)[1] if seen else ""


def ban_create(
    *,
    participant_id: int,
    moderator,
    duration: str,
    reason: str,
    covers_network: bool = True,
    reject_pending: bool = False,
    reject_reason: str = RejectReason.OTHER,
) -> Ban:
    """Ban a participant for a day, a week or for good, and with ``covers_network``
    its latest network hash too, so that a new key from there is no way around it.

    A banned participant can still read but cannot comment, vote, like or
    report. A new ban replaces one already in force. ``reject_pending`` also
    rejects the participant's comments still awaiting review, for
    ``reject_reason``; the ban's ``rejected`` says how many.
    """
    if duration not in BanDuration.values:
        raise Refused("invalid", "Choose how long the ban lasts.", fields={"duration": "unknown"})
    if reject_pending and reject_reason not in RejectReason.values:
        raise Refused(
            "invalid",
            "Choose a reason for rejecting their comments from the list.",
            fields={"reject_reason": "unknown"},
        )
    reason = " ".join(normalise_text(reason).split())
    if not reason or len(reason) > 500:
        raise Refused("invalid", "Give a reason for the ban, up to 500 characters.", fields={"reason": "required"})
    participant = Participant.objects.filter(pk=participant_id).first()
    if participant is None:
        raise Refused("not_found", "That participant no longer exists: they may have erased their data.", status=404)
    now = timezone.now()
    span = BanDuration(duration).timedelta()
    with transaction.atomic():
        for old in Ban.objects.active(now).filter(participant=participant).select_for_update():
            old.lifted_at = now
            old.save(update_fields=["lifted_at"])
            audit_record(
                action="ban.replace", actor=moderator, target=old, status_before="active", status_after="lifted"
            )
        ban = Ban.objects.create(
            participant=participant,
            network_hash=latest_network_hash(participant) if covers_network else "",
            reason=reason,
            created_at=now,
            expires_at=now + span if span else None,
            created_by=moderator if getattr(moderator, "is_authenticated", False) else None,
        )
        audit_record(
            action="ban.create",
            actor=moderator,
            target=ban,
            reason=reason,
            status_before="",
            status_after="active",
            network_hash=ban.network_hash,
            details={
                "participant": participant.pk,
                "duration": duration,
                "scope": "network" if covers_network else "participant",
                "covers_network": bool(ban.network_hash),
            },
        )
        pending = []
        if reject_pending:
            pending = list(
                Comment.objects.filter(participant=participant, status=Status.PENDING).values_list("pk", flat=True)
            )
            for comment_id in pending:
                comment_decide(
                    comment_id=comment_id, moderator=moderator, decision=Decision.REJECT, reason=reject_reason
                )
    ban.rejected = len(pending)
    return ban


def bans_for_comments(
    *, comment_ids: list[int], moderator, duration: str, reason: str, covers_network: bool = True
) -> BulkResult:
    """Ban the authors of the selected comments, each once."""
    authors = dict.fromkeys(
        Comment.objects.filter(pk__in=comment_ids, participant__isnull=False)
        .order_by("pk")
        .values_list("participant_id", flat=True)
    )
    done, refused = 0, []
    for participant_id in authors:
        try:
            ban_create(
                participant_id=participant_id,
                moderator=moderator,
                duration=duration,
                reason=reason,
                covers_network=covers_network,
            )
            done += 1
        except Refused as exc:
            refused.append(exc.message)
            if exc.fields:  # the same invalid input would fail for every author
                break
    return BulkResult(done, refused)


def ban_lift(*, participant_id: int, moderator) -> int:
    """Lift every ban in force against a participant; returns how many."""
    now = timezone.now()
    lifted = 0
    with transaction.atomic():
        for ban in Ban.objects.active(now).filter(participant_id=participant_id).select_for_update():
            ban.lifted_at = now
            ban.save(update_fields=["lifted_at"])
            audit_record(
                action="ban.lift",
                actor=moderator,
                target=ban,
                status_before="active",
                status_after="lifted",
                details={"participant": participant_id},
            )
            lifted += 1
    if not lifted:
        raise Refused("not_banned", "This participant is not banned.", status=409)
    return lifted


def bans_lift_for_comments(*, comment_ids: list[int], moderator) -> BulkResult:
    authors = dict.fromkeys(
        Comment.objects.filter(pk__in=comment_ids, participant__isnull=False).values_list("participant_id", flat=True)
    )
    done, refused = 0, []
    for participant_id in authors:
        try:
            done += ban_lift(participant_id=participant_id, moderator=moderator)
        except Refused as exc:
            refused.append(exc.message)
    return BulkResult(done, refused)


# ----------------------------------------------------------------------- notes


def note_create(*, participant_id: int, moderator, body: str) -> ModeratorNote:
    """A private note about a participant, shown to moderators with their history."""
    body = normalise_text(body)
    if not body or len(body) > 1000:
        raise Refused("invalid", "Write a note of up to 1,000 characters.", fields={"body": "required"})
    participant = Participant.objects.filter(pk=participant_id).first()
    if participant is None:
        raise Refused("not_found", "That participant no longer exists.", status=404)
    with transaction.atomic():
        note = ModeratorNote.objects.create(
            participant=participant,
            author=moderator if getattr(moderator, "is_authenticated", False) else None,
            author_label=getattr(moderator, "email", "") or "",
            body=body,
        )
        audit_record(action="note.create", actor=moderator, target=participant, details={"note": note.pk})
    return note


# ----------------------------------------------------------------- word rules


def rule_create(*, pattern: str, action: str, moderator) -> WordRule:
    """Add a banned (reject) or suspect (hold) word; ``*`` matches any letters."""
    pattern = " ".join(normalise_text(pattern).lower().split())
    if action not in WordRule.Action.values:
        raise Refused("invalid", "Choose whether the word is banned or suspect.", fields={"action": "unknown"})
    if not pattern or len(pattern) > 100:
        raise Refused("invalid", "A word or phrase of 1 to 100 characters, please.", fields={"pattern": "required"})
    if not any(ch.isalnum() for ch in pattern):
        raise Refused(
            "invalid",
            "A pattern needs at least one letter or digit: a lone wildcard would match every word.",
            fields={"pattern": "too broad"},
        )
    try:
        with transaction.atomic():
            rule = WordRule.objects.create(pattern=pattern, action=action)
            audit_record(action="rule.create", actor=moderator, target=rule, reason=pattern, status_after=action)
    except IntegrityError:
        raise Refused("duplicate", f"“{pattern}” is already on that list.", status=409) from None
    return rule


def rule_delete(*, rule_id: int, moderator) -> None:
    with transaction.atomic():
        rule = WordRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise Refused("not_found", "That word is no longer on the list.", status=404)
        audit_record(action="rule.delete", actor=moderator, target=rule, reason=rule.pattern, status_before=rule.action)
        rule.delete()


# ------------------------------------------------------------ debate settings


def debate_update_moderation(
    *, debate_id: int, moderator, premoderation: str, slow_mode_seconds: int, comments_open: bool
) -> Debate:
    """Set a debate's pre-moderation, slow mode and whether comments are open."""
    if premoderation not in Debate.Premoderation.values:
        raise Refused("invalid", "Choose a pre-moderation mode.", fields={"premoderation": "unknown"})
    if not 0 <= slow_mode_seconds <= 24 * 3600:
        raise Refused(
            "invalid", "Slow mode is between 0 and 86,400 seconds.", fields={"slow_mode_seconds": "out of range"}
        )
    with transaction.atomic():
        debate = Debate.objects.select_for_update().filter(pk=debate_id).first()
        if debate is None:
            raise Refused("not_found", "That debate does not exist.", status=404)
        before = {
            "premoderation": debate.premoderation,
            "slow_mode_seconds": debate.slow_mode_seconds,
            "comments_open": debate.comments_open,
        }
        after = {"premoderation": premoderation, "slow_mode_seconds": slow_mode_seconds, "comments_open": comments_open}
        if before == after:
            return debate
        debate.premoderation = premoderation
        debate.slow_mode_seconds = slow_mode_seconds
        debate.comments_open = comments_open
        debate.version = F("version") + 1
        debate.save(update_fields=["premoderation", "slow_mode_seconds", "comments_open", "version"])
        debate.refresh_from_db()
        audit_record(
            action="debate.settings",
            actor=moderator,
            target=debate,
            status_before=before["premoderation"],
            status_after=premoderation,
            details={"before": before, "after": after},
        )
    return debate


# -------------------------------------------------------------------- ballots


def _tally_removed(option_id: int, n: int, day: datetime.date) -> None:
    updated = DailyTally.objects.filter(option_id=option_id, day=day).update(removed=F("removed") + n)
    if not updated:
        try:
            with transaction.atomic():
                DailyTally.objects.create(option_id=option_id, day=day, removed=n)
        except IntegrityError:  # a concurrent vote created today's row first
            DailyTally.objects.filter(option_id=option_id, day=day).update(removed=F("removed") + n)


def ballots_void(
    *, debate_id: int, network_hash: str, start: datetime.datetime, end: datetime.datetime, moderator, reason: str = ""
) -> int:
    """Void the ballots cast from one network hash in one burst window; results follow at once.

    The removal is counted in today's daily tally, like a withdrawn vote, so
    the share-over-time chart still sums to the current count.
    """
    if not network_hash or end <= start:
        raise Refused("invalid", "That burst is not valid.", fields={"burst": "invalid"})
    with transaction.atomic():
        # Lock the rows first (PostgreSQL refuses FOR UPDATE with GROUP BY), then count.
        rows = list(
            Ballot.objects.select_for_update()
            .filter(debate_id=debate_id, network_hash=network_hash, cast_at__gte=start, cast_at__lt=end)
            .values_list("pk", "option_id")
        )
        if not rows:
            raise Refused("not_found", "Those ballots are already gone.", status=404)
        total = len(rows)
        today = timezone.now().date()
        for option_id, n in Counter(option_id for _, option_id in rows).items():
            _tally_removed(option_id, n, today)
        Ballot.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
        _bump(debate_id)
        audit_record(
            action="ballots.void",
            actor=moderator,
            target=Debate.objects.get(pk=debate_id),
            reason=" ".join(normalise_text(reason).split())[:500],  # as a ban's reason
            network_hash=network_hash,
            details={"count": total, "start": start.isoformat(), "end": end.isoformat()},
        )
    return total


# ------------------------------------------------------------------ rescreening


@dataclass
class Rescreened:
    screened: int
    held: list[int]


def comments_rescreen(*, debate_slug: str = "", since=None, dry_run: bool = False, actor_label: str = "") -> Rescreened:
    """Screen published comments again with today's word lists and limits.

    A comment that would now be held or rejected goes back to the queue as
    pending with its reasons, for a moderator to decide; nothing is deleted.
    Pre-moderation and slow mode apply to new comments only, so they are left
    out here.
    """
    comments = Comment.objects.filter(status=Status.PUBLISHED).select_related("debate").order_by("pk")
    if debate_slug:
        comments = comments.filter(debate__slug=debate_slug)
    if since is not None:
        comments = comments.filter(created_at__gte=since)
    contexts = {}
    screened, held = 0, []
    for comment in comments.iterator(chunk_size=500):
        if comment.debate_id not in contexts:
            base = screening_context(comment.debate, None)
            contexts[comment.debate_id] = dataclasses.replace(base, premoderation="none", is_first_comment=False)
        verdict = screen(comment.body, contexts[comment.debate_id])
        screened += 1
        if verdict.action == Action.PUBLISH:
            continue
        held.append(comment.pk)
        if dry_run:
            continue
        with transaction.atomic():
            locked = Comment.objects.select_for_update().filter(pk=comment.pk, status=Status.PUBLISHED).first()
            if locked is None:  # deleted or decided meanwhile
                held.pop()
                continue
            locked.status = Status.PENDING
            locked.reasons = verdict.reasons
            locked.save(update_fields=["status", "reasons"])
            _bump(locked.debate_id)
            audit_record(
                action="comment.rescreen",
                actor_label=actor_label,
                target=locked,
                reason=",".join(verdict.reasons)[:500],
                status_before=Status.PUBLISHED,
                status_after=Status.PENDING,
                details={"verdict": str(verdict.action)},
            )
    return Rescreened(screened, held)
