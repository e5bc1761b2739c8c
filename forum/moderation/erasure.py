"""What the moderation app does when a participant's data is erased or expires.

``forum.debates.privacy.participant_erase`` calls ``redact_audit_entries``
(listed in ``settings.PRIVACY_ERASURE_HOOKS``) inside its transaction, so the
public side never imports this app and the audit log never outlives an
erasure with a pointer to the person. The retention purge calls
``clear_audit_network_hashes``, so no entry keeps a network hash longer than a
ballot or a ban does.
"""

import datetime

from django.db import transaction
from django.db.models import Q

from .models import AuditEntry

REDACTED = "erasure"


def redact_audit_entries(*, targets: dict[str, set[str]], network_hashes: set[str]) -> dict[str, int]:
    """Redact audit entries that point at anything erased.

    ``targets`` maps a model name ("participant", "comment", "ban", ...) to the
    ids erased. An entry about one of them keeps what a moderator did, when,
    why and with what outcome, but loses the target's id, the network hash and
    the participant named in its details, and says it was redacted (``_replace``).
    """
    participant_ids = {int(pk) for pk in targets.get("participant", ())}
    about = Q()
    for target_type, ids in targets.items():
        if ids:
            about |= Q(target_type=target_type, target_id__in=list(ids))
    if participant_ids:
        about |= Q(details__participant__in=list(participant_ids))
    if network_hashes:
        # A network hash stands for a whole network (an office, a carrier): it points at the
        # erased reader only in the entries no one signed, the refusals it may have met
        # (security.forbidden, rate_limited, csrf_failed). A moderator's entries on the same
        # network, and bans of others, are someone else's.
        about |= Q(network_hash__in=list(network_hashes), actor__isnull=True)
    if not about:
        return {"audit_entries_redacted": 0}
    entries = list(AuditEntry.objects.filter(about))

    def redact(entry: AuditEntry, fields: dict) -> None:
        details = dict(entry.details or {})
        targeted = entry.target_id in targets.get(entry.target_type, ())
        named = details.get("participant") in participant_ids
        if targeted:
            fields["target_id"] = ""
        if named:
            del details["participant"]
        if targeted or named or (entry.network_hash in network_hashes and entry.actor_id is None):
            fields["network_hash"] = ""
        fields["details"] = {**details, "redacted": REDACTED}

    return {"audit_entries_redacted": _replace(entries, redact)}


def clear_audit_network_hashes(before: datetime.datetime, *, dry_run: bool = False, batch: int = 500) -> int:
    """Blank the network hash of entries made before ``before``; returns how many.

    The purge passes now minus ``RETENTION_NETWORK_HASH_HOURS``: the hash a ban,
    a voided burst or a security event recorded goes when the ballot's and the
    ban's own copies go. The entry keeps everything else.
    """
    expired = AuditEntry.objects.filter(created_at__lt=before).exclude(network_hash="")
    if dry_run:
        return expired.count()

    def clear(entry: AuditEntry, fields: dict) -> None:
        fields["network_hash"] = ""

    cleared = 0
    while entries := list(expired.order_by("pk")[:batch]):
        cleared += _replace(entries, clear)
    return cleared


def _replace(entries: list[AuditEntry], edit) -> int:
    """Replace each entry by a copy that ``edit(entry, fields)`` changed, under
    the same id and time: the one exception to the log being append-only.

    Entries are never edited (the model and a database trigger refuse any
    UPDATE), so this deletes and inserts again, which needs no more power than
    the retention purge's DELETE already has.
    """
    copies = []
    for entry in entries:
        fields = {f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.concrete_fields}
        edit(entry, fields)
        copies.append(AuditEntry(**fields))
    with transaction.atomic():
        AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
        AuditEntry.objects.bulk_create(copies)
    return len(copies)
