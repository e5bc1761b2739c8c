"""``manage.py export_poll_results``: write any poll export to a file."""

import getpass
import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forum.debates.models import Debate
from forum.moderation.audit import audit_record
from forum.moderation.exports import FORMATS, KINDS, MODERATOR_KINDS, build_export, count_rows, write_text, write_xlsx


class ProgressBar:
    """One line redrawn in place on a terminal, at most about ten times a second."""

    WIDTH = 30

    def __init__(self, stream, total: int, label: str):
        self.stream, self.total, self.label = stream, max(total, 0), label
        self.started = self.drawn_at = time.monotonic()
        self.done = 0

    def update(self, done: int, *, force: bool = False) -> None:
        self.done = done
        now = time.monotonic()
        if not force and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        fraction = min(done / self.total, 1.0) if self.total else 1.0
        filled = int(fraction * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {fraction:4.0%} {done:,}/{self.total:,} rows {now - self.started:.1f}s",
            ending="",
        )
        self.stream.flush()

    def close(self) -> None:
        self.update(self.done, force=True)
        self.stream.write("")


def _counted(rows, bar: ProgressBar, every: int = 1000):
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            bar.update(done)
    bar.update(done)


class Command(BaseCommand):
    help = (
        "Write a poll export to a file: --kind results, timeseries, ballots, comments or audit, as --format csv, "
        "json or xlsx (default: from the --output file's extension). The file appears complete or not at all. "
        "Exports of ballots, comments and the audit log are written to the audit log. Layout: docs/exports.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The debate's slug.")
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--format", dest="fmt", choices=FORMATS, help="Default: the --output file's extension.")
        parser.add_argument(
            "--output", required=True, help="The file to write (replaced if it exists), or - for standard output."
        )

    def handle(self, *args, slug, kind, fmt, output, verbosity, **options):
        debate = Debate.objects.prefetch_related("options").filter(slug=slug).first()
        if debate is None:
            known = ", ".join(Debate.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No debate with the slug {slug!r}. Debates: {known}.")
        to_stdout = output == "-"
        fmt = fmt or Path(output).suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise CommandError(f"Give --format ({', '.join(FORMATS)}); it cannot be told from {output!r}.")
        if to_stdout and fmt == "xlsx":
            raise CommandError("An XLSX file cannot go to standard output; give a file name with --output.")
        target = None if to_stdout else Path(output).expanduser().resolve()
        if target is not None and not target.parent.is_dir():
            raise CommandError(f"The folder {str(target.parent)!r} does not exist.")

        export = build_export(debate, kind)
        if kind in MODERATOR_KINDS:
            audit_record(
                action="export.download",
                target=debate,
                details={"kind": kind, "format": fmt, "via": "command", "os_user": _os_user()},
            )
        bar = None
        if verbosity >= 1 and self.stderr.isatty():
            bar = ProgressBar(self.stderr, count_rows(export), kind)
            export.data = _counted(export.data, bar)
            if export.csv_data is not None:
                export.csv_data = _counted(export.csv_data, bar)

        if to_stdout:
            for chunk in write_text(export, fmt):
                self.stdout.write(chunk, ending="")
            size = None
        else:
            size = self._write_file(export, fmt, target, private=kind in MODERATOR_KINDS)
        if bar is not None:
            bar.close()
        if verbosity >= 1 and not to_stdout:
            self.stdout.write(
                self.style.SUCCESS(f"Wrote {export.row_count:,} rows of {kind} to {target} ({size:,} bytes).")
            )
        if verbosity >= 2:
            self.stderr.write(f"schema_version {export.metadata['schema_version']}, generated {export.generated_at}")

    def _write_file(self, export, fmt: str, target: Path, *, private: bool) -> int:
        """Write next to the target and rename over it, so a reader never sees half a file."""
        handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False)  # noqa: SIM115
        try:
            with handle:
                if fmt == "xlsx":
                    write_xlsx(export, handle)
                else:
                    for chunk in write_text(export, fmt):
                        handle.write(chunk.encode("utf-8", "replace"))
            # Ballots, comments and the audit log hold personal data: owner only.
            os.chmod(handle.name, 0o600 if private else 0o644)
            os.replace(handle.name, target)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return target.stat().st_size


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""
