"""Moderator-side records: the append-only audit log, notes on participants,
and the anonymous monthly tallies behind the public transparency page."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RejectReason(models.TextChoices):
    """The fixed list a moderator picks from when rejecting or removing a comment."""

    ABUSE = "abuse", "Harassment or abuse"
    HATE = "hate", "Hate speech"
    PERSONAL_INFO = "personal_info", "Shares personal information"
    OFF_TOPIC = "off_topic", "Off topic"
    SPAM = "spam", "Spam or advertising"
    ILLEGAL = "illegal", "Illegal content"
    MISINFORMATION = "misinformation", "Deliberately misleading"
    OTHER = "other", "Breaks the house rules in another way"


class BanDuration(models.TextChoices):
    DAY = "1d", "1 day"
    WEEK = "1w", "1 week"
    PERMANENT = "permanent", "Permanently"

    def timedelta(self) -> datetime.timedelta | None:
        return {"1d": datetime.timedelta(days=1), "1w": datetime.timedelta(weeks=1)}.get(self.value)


class AuditEntryQuerySet(models.QuerySet):
    def filtered(self, *, action="", actor="", target_type="", target_id="", since=None, until=None):
        """Entries matching the audit page's filters; empty filters match everything.

        ``action`` matches a prefix, so ``comment.`` finds every comment decision
        and ``security.`` every security event.
        """
        qs = self
        if action:
            qs = qs.filter(action__startswith=action)
        if actor:
            qs = qs.filter(actor_label__icontains=actor)
        if target_type:
            qs = qs.filter(target_type=target_type)
        if target_id:
            qs = qs.filter(target_id=target_id)
        if since:
            qs = qs.filter(created_at__date__gte=since)
        if until:
            qs = qs.filter(created_at__date__lte=until)
        return qs

    def update(self, **kwargs):
        raise ValueError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One moderator action or security event. Entries are never edited (the
    database refuses it too); purge_expired_data replaces them by copies without
    their network hash after RETENTION_NETWORK_HASH_HOURS (as erasure does with
    what it redacts) and deletes them after RETENTION_AUDIT_DAYS."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A snapshot of who acted, kept readable if the account is deleted later.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    status_before = models.CharField(max_length=32, blank=True)
    status_after = models.CharField(max_length=32, blank=True)
    # Keyed network-prefix hash of a ban, a voided burst or a security event; never a raw
    # address. The purge blanks it after RETENTION_NETWORK_HASH_HOURS (erasure.clear_audit_network_hashes).
    network_hash = models.CharField(max_length=32, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)


class ModeratorNote(models.Model):
    """A moderator's private note about a participant, shown with their history."""

    participant = models.ForeignKey("debates.Participant", on_delete=models.CASCADE, related_name="moderator_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    author_label = models.CharField(max_length=254, blank=True)
    body = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Note on participant {self.participant_id}"


class TransparencyTally(models.Model):
    """How many comments met one outcome for one reason in one month.

    Counts only: no comment, participant or time finer than the month, so the
    numbers survive every erasure and purge and carry no personal data.
    """

    class Outcome(models.TextChoices):
        PUBLISHED = "published", "Published"
        HELD = "held", "Held for review"
        REJECTED = "rejected", "Rejected"
        REMOVED = "removed", "Removed after publication"

    month = models.DateField(help_text="The first day of the month (UTC).")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=32, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month", "outcome", "reason"]
        constraints = [
            models.UniqueConstraint(fields=["month", "outcome", "reason"], name="one_tally_per_month_outcome_reason"),
            models.CheckConstraint(condition=Q(month__day=1), name="tally_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.outcome} {self.reason}: {self.count}"
