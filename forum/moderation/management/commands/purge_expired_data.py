"""Remove every stored datum that has outlived its retention period.

Run it hourly (docs/privacy.md has cron and systemd-timer examples). It is
idempotent: a second run straight after the first removes nothing.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from forum.debates.privacy import purge_expired_data
from forum.moderation.erasure import clear_audit_network_hashes
from forum.moderation.models import AuditEntry

LABELS = {
    "ballot_network_hashes": "network hashes cleared from ballots",
    "ban_network_hashes": "network hashes cleared from bans",
    "audit_network_hashes": "network hashes cleared from audit entries",
    "network_peppers": "old network peppers deleted",
    "rejected_comments": "rejected and spam comments erased",
    "reports": "reports deleted",
    "expired_cache_entries": "expired cache entries deleted",
    "inactive_participants": "inactive participants erased",
    "audit_entries": "audit entries deleted",
}


def purge_audit_entries(now: datetime.datetime, *, dry_run: bool) -> int:
    """Delete audit entries older than RETENTION_AUDIT_DAYS; returns how many.

    Lives here rather than in ``forum.debates.privacy`` because the public side
    never imports the moderation app.
    """
    old = AuditEntry.objects.filter(created_at__lt=now - datetime.timedelta(days=settings.RETENTION_AUDIT_DAYS))
    return old.count() if dry_run else old.delete()[0]


class Command(BaseCommand):
    help = (
        "Remove what has outlived its retention period: network hashes and old peppers, rejected comments, "
        "reports, audit entries, and participants inactive for too long (erased as if they had asked). "
        "Idempotent; --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed; change nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        now = timezone.now()
        if verbosity >= 2:
            self.stdout.write(f"Retention in force: {self._retention()}")
        counts = purge_expired_data(now=now, dry_run=dry_run)
        hashes_before = now - datetime.timedelta(hours=settings.RETENTION_NETWORK_HASH_HOURS)
        counts["audit_network_hashes"] = clear_audit_network_hashes(hashes_before, dry_run=dry_run)
        counts["audit_entries"] = purge_audit_entries(now, dry_run=dry_run)
        if verbosity < 1:
            return
        for key, n in counts.items():
            if n or verbosity >= 2:
                self.stdout.write(f"{n:>8}  {LABELS.get(key, key.replace('_', ' '))}")
        total = sum(counts.values())
        if dry_run:
            self.stdout.write(f"Dry run: {total} items are due; nothing was changed.")
        elif total:
            self.stdout.write(self.style.SUCCESS(f"Purged {total} items."))
        else:
            self.stdout.write("Nothing has expired.")

    @staticmethod
    def _retention() -> str:
        return (
            f"network hashes {settings.RETENTION_NETWORK_HASH_HOURS} h, "
            f"pepper rotation {settings.NETWORK_PEPPER_ROTATION_HOURS} h, "
            f"rejected comments {settings.RETENTION_REJECTED_COMMENTS_DAYS} d, "
            f"reports {settings.RETENTION_REPORTS_DAYS} d, "
            f"audit {settings.RETENTION_AUDIT_DAYS} d, "
            f"inactive participants {settings.RETENTION_INACTIVE_PARTICIPANT_DAYS} d"
        )
