"""python manage.py rescreen_comments: screen published comments again after a rule change."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from forum.debates.models import Debate
from forum.moderation.services import comments_rescreen


class Command(BaseCommand):
    help = (
        "Screen published comments again with the current word lists, link limit, personal-information "
        "check and toxicity model. Comments that would now be held or rejected go back to the moderation "
        "queue as pending, with their reasons; nothing is deleted. Use --dry-run to see how many first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--debate", default="", help="Only this debate (its slug).")
        parser.add_argument("--days", type=int, default=None, help="Only comments posted in the last N days.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be held; change nothing.")

    def handle(self, *args, debate="", days=None, dry_run=False, verbosity=1, **options):
        if debate and not Debate.objects.filter(slug=debate).exists():
            raise CommandError(f"No debate with the slug {debate!r}.")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        since = timezone.now() - datetime.timedelta(days=days) if days else None
        result = comments_rescreen(
            debate_slug=debate, since=since, dry_run=dry_run, actor_label="manage.py rescreen_comments"
        )
        if verbosity >= 1:
            verb = "would go back to the queue" if dry_run else "went back to the queue"
            self.stdout.write(f"Screened {result.screened} published comments: {len(result.held)} {verb}.")
        if verbosity >= 2 and result.held:
            self.stdout.write("Comments: " + ", ".join(f"#{pk}" for pk in result.held))
