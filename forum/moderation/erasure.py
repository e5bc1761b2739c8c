"""What the moderation app does when a participant's data is erased.

``forum.debates.privacy.participant_erase`` calls ``redact_audit_entries``
(listed in ``settings.PRIVACY_ERASURE_HOOKS``) inside its transaction, so the
public side never imports this app and the audit log never outlives an
erasure with a pointer to the person.
"""

from django.db.models import Q

from .models import AuditEntry

REDACTED = "erasure"


def redact_audit_entries(*, targets: dict[str, set[str]], network_hashes: set[str]) -> dict[str, int]:
    """Redact audit entries that point at anything erased.

    ``targets`` maps a model name ("participant", "comment", "ban", ...) to the
    ids erased. An entry about one of them keeps what a moderator did, when,
    why and with what outcome, but loses the target's id, the network hash and
    the participant named in its details, and says it was redacted.

    The one exception to the log being append-only: entries are never edited
    (the model and a database trigger refuse any UPDATE), so a redaction
    replaces each entry with its redacted copy under the same id and time,
    which needs no more power than the retention purge's DELETE already has.
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
    copies = []
    for entry in entries:
        fields = {f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.concrete_fields}
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
        copies.append(AuditEntry(**fields))
    AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
    AuditEntry.objects.bulk_create(copies)
    return {"audit_entries_redacted": len(copies)}
