"""The public transparency report: per month, how many comments were published,
held, rejected and removed, by reason code. Counts only, no personal data.

Counts are kept as events happen, in ``TransparencyTally`` rows, so that they
survive erasures and retention purges. Moderator decisions count themselves in
``services.py``. What happens when a comment is posted, edited or reported is
decided in ``forum.debates.services``, which must never import this app; the
receivers below observe those saves instead (see ``connect``).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from forum.debates.models import Comment
from forum.lib import prepared

from .models import TransparencyTally

Outcome = TransparencyTally.Outcome


def month_of(when: datetime.datetime | None = None) -> datetime.date:
    when = when or timezone.now()
    return when.astimezone(datetime.UTC).date().replace(day=1)


# Every comment posted counts itself once, mostly under one row: that update is prepared.
_ADD_ONE = prepared.Update(
    lambda month, outcome, reason: (
        TransparencyTally.objects.filter(month=month, outcome=outcome, reason=reason),
        {"count": F("count") + 1},
    ),
    [prepared.A_DAY, "\x00outcome", "\x00reason"],
)


def tally(outcome: str, reasons=("",), *, when=None) -> None:
    """Count one comment under ``outcome`` once for each reason (or once, reason-less;
    ``""`` among the reasons counts the outcome's total too): one prepared query
    per reason once the month's rows exist.

    Each reason's row is incremented if it exists, else created; a creation
    that loses a race to a concurrent event finds the row and increments it.
    So every reason counts exactly once, whatever runs at the same time (a bulk
    update followed by a read of which rows existed could miss a row created
    in between).
    """
    month = month_of(when)
    for reason in dict.fromkeys(reasons) or [""]:
        if _ADD_ONE(month, outcome, reason):
            continue
        try:
            with transaction.atomic():
                TransparencyTally.objects.create(month=month, outcome=outcome, reason=reason, count=1)
        except IntegrityError:  # a concurrent event created the row first
            _ADD_ONE(month, outcome, reason)


def monthly_report(months: int = 24) -> list[dict]:
    """The last ``months`` months with any activity, newest first, in one query::

        [{"month": date, "rows": [{"outcome", "label", "total", "reasons": [(code, label, n)]}]}]

    A comment held for two reasons counts once under each reason, so the
    reasons of an outcome can add up to more than its total, which counts
    comments.
    """
    from .reasons import label

    first = month_of()
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    rows = (
        TransparencyTally.objects.filter(month__gte=first)
        .values_list("month", "outcome", "reason")
        .annotate(n=Sum("count"))
        .order_by("-month", "outcome", "reason")
    )
    report: dict[datetime.date, dict[str, dict]] = {}
    for month, outcome, reason, n in rows:
        entry = report.setdefault(
            month, {o: {"outcome": o, "label": lbl, "total": 0, "reasons": []} for o, lbl in Outcome.choices}
        )
        if reason == "":
            entry[outcome]["total"] += n
        else:
            entry[outcome]["reasons"].append((reason, label(reason), n))
    return [{"month": month, "rows": list(by_outcome.values())} for month, by_outcome in report.items()]


# ------------------------------------------------------------------ observers

_BEFORE = "_transparency_status_before"


def _remember_status(sender, instance: Comment, update_fields=None, **kwargs):
    # Only saves that may change the status of an existing comment need the old one.
    if instance.pk is None or (update_fields is not None and "status" not in update_fields):
        return
    setattr(instance, _BEFORE, Comment.objects.filter(pk=instance.pk).values_list("status", flat=True).first())


def _count_outcome(sender, instance: Comment, created: bool, update_fields=None, **kwargs):
    """Count a comment published or held when posted, and a published comment held
    again (an edit that screening holds, or enough reports)."""
    if created:
        if instance.status == Comment.Status.PUBLISHED:
            tally(Outcome.PUBLISHED)
        elif instance.status == Comment.Status.PENDING:
            tally(Outcome.HELD, ["", *(instance.reasons or ["unspecified"])])
        return
    before = instance.__dict__.pop(_BEFORE, None)
    if before == Comment.Status.PUBLISHED and instance.status == Comment.Status.PENDING:
        tally(Outcome.HELD, ["", *(instance.reasons or ["unspecified"])])


def connect() -> None:
    """Observe comment saves made by the public side (called from the app config)."""
    pre_save.connect(_remember_status, sender=Comment, dispatch_uid="transparency-before")
    post_save.connect(_count_outcome, sender=Comment, dispatch_uid="transparency-after")
