"""Writing and reading the audit log.

``audit_record`` is the one way in, called by every moderator action and
security event. ``audit_rows`` and ``csv_lines`` export what a filter shows;
CSV cells a spreadsheet would run as a formula are neutralised.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from forum.lib.csvsafe import neutralise

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
    actor_label: str = "",
) -> AuditEntry:
    """Append one entry. ``target`` is a model instance (or None)."""
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=(actor_label or getattr(actor, "email", "") or "")[:254],
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        reason=reason[:500],
        status_before=status_before,
        status_after=status_after,
        network_hash=network_hash,
        details=details or {},
    )


AUDIT_COLUMNS = [
    "id",
    "created_at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "reason",
    "status_before",
    "status_after",
    "details",
]


def audit_rows(entries) -> Iterator[list]:
    """One list per entry, in ``AUDIT_COLUMNS`` order, read in chunks. The
    network hash stays out: a file would keep it past its retention."""
    for e in entries.order_by("-created_at", "-id").iterator(chunk_size=2000):
        yield [
            e.pk,
            e.created_at.isoformat(),
            e.actor_label,
            e.action,
            e.target_type,
            e.target_id,
            e.reason,
            e.status_before,
            e.status_after,
            e.details,
        ]


def spreadsheet_safe(value) -> str:
    """A cell as text that no spreadsheet will evaluate as a formula (the one
    rule of forum/lib/csvsafe.py, shared with the poll exports); the details
    as JSON, as docs/exports.md promises."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return neutralise(value if isinstance(value, str) else ("" if value is None else str(value)))


def csv_lines(entries) -> Iterable[str]:
    """The export as CSV text, header first, streamed line by line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(row):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(AUDIT_COLUMNS)
    for row in audit_rows(entries):
        yield line(row)
