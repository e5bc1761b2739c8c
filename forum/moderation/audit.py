"""Writing to the audit log: one function, called by every moderator action."""

from .models import AuditEntry


def audit_record(
    *,
    action: str,
    actor=None,
    target=None,
    reason: str = "",
    status_before: str = "",
    status_after: str = "",
    network_hash: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry. ``target`` is a model instance (or None)."""
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=getattr(actor, "email", "") or "",
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        reason=reason[:500],
        status_before=status_before,
        status_after=status_after,
        network_hash=network_hash,
        details=details or {},
    )
