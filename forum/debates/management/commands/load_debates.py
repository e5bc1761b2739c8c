from django.core.management.base import BaseCommand

from forum.debates.seed import ensure_clearview_debate


class Command(BaseCommand):
    help = "Create the Clearview AI debate and its stance poll if they do not exist yet (safe to re-run)."

    def handle(self, *args, **options):
        debate, created = ensure_clearview_debate()
        if options["verbosity"] >= 1:
            verb = "Created" if created else "Already present:"
            self.stdout.write(f"{verb} debate {debate.slug!r} with {debate.options.count()} poll options")
