"""manage.py export_poll_results, through call_command."""

import io
import stat

import pytest
from django.core.management import CommandError, call_command

from forum.debates.models import Ballot, Comment
from forum.moderation.exports import FORMATS, KINDS, MODERATOR_KINDS
from forum.moderation.models import AuditEntry

from .conftest import formula_cells, parse_csv, parse_json, parse_xlsx, xlsx_rows

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    """Standard error as a terminal would present it."""

    def isatty(self):
        return True


def run(*args, **options) -> tuple[str, str]:
    out, err = options.pop("stdout", io.StringIO()), options.pop("stderr", io.StringIO())
    call_command("export_poll_results", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def rows_of(path, fmt) -> list:
    data = path.read_bytes()
    if fmt == "csv":
        return parse_csv(data)
    if fmt == "json":
        return parse_json(data)["rows"]
    workbook = parse_xlsx(data)
    assert formula_cells(workbook) == []
    return xlsx_rows(workbook)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_it_writes_every_kind_in_every_format(known, tmp_path, kind, fmt):
    target = tmp_path / f"out.{fmt}"
    expected = {
        "results": 3,
        "timeseries": 9,
        "ballots": Ballot.objects.count(),
        "comments": Comment.objects.count(),
        "audit": AuditEntry.objects.count() + (1 if kind in MODERATOR_KINDS else 0),
    }[kind]

    out, err = run(known.debate.slug, "--kind", kind, "--format", fmt, "--output", str(target))

    assert len(rows_of(target, fmt)) == expected
    assert out == f"Wrote {expected:,} rows of {kind} to {target} ({target.stat().st_size:,} bytes).\n"
    assert err == ""
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_results_file_totals_equal_the_database(known, tmp_path):
    target = tmp_path / "results.csv"
    run(known.debate.slug, "--kind", "results", "--output", str(target))

    rows = parse_csv(target.read_bytes())
    assert sum(int(r["votes"]) for r in rows) == Ballot.objects.filter(debate=known.debate).count()
    assert round(sum(float(r["percent"]) for r in rows), 6) == 100


def test_format_comes_from_the_file_extension(known, tmp_path):
    target = tmp_path / "Series.JSON"
    run(known.debate.slug, "--kind", "timeseries", "--output", str(target))

    assert parse_json(target.read_bytes())["metadata"]["kind"] == "timeseries"


def test_it_asks_for_a_format_it_cannot_guess(known, tmp_path):
    with pytest.raises(CommandError, match=r"Give --format \(csv, json, xlsx\)"):
        run(known.debate.slug, "--kind", "results", "--output", str(tmp_path / "results.txt"))


def test_unknown_slug_names_the_debates_that_exist(known, tmp_path):
    with pytest.raises(CommandError, match=f"No debate with the slug 'nope'. Debates: {known.debate.slug}."):
        run("nope", "--kind", "results", "--output", str(tmp_path / "x.csv"))


def test_missing_folder_is_a_clear_error(known, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run(known.debate.slug, "--kind", "results", "--output", str(tmp_path / "missing" / "x.csv"))


def test_it_writes_csv_to_standard_output_with_a_dash(known):
    out, _ = run(known.debate.slug, "--kind", "results", "--format", "csv", "--output", "-")

    assert out.startswith("key,label,votes,percent\r\n")
    assert len(parse_csv(out.encode())) == 3


def test_xlsx_cannot_go_to_standard_output(known):
    with pytest.raises(CommandError, match="XLSX file cannot go to standard output"):
        run(known.debate.slug, "--kind", "results", "--format", "xlsx", "--output", "-")


def test_it_replaces_an_existing_file_whole(known, tmp_path):
    target = tmp_path / "ballots.csv"
    target.write_text("old contents that are much longer than nothing\n" * 1000)

    run(known.debate.slug, "--kind", "ballots", "--output", str(target))

    assert len(parse_csv(target.read_bytes())) == 7


def test_personal_data_files_are_readable_by_the_owner_only(known, tmp_path):
    run(known.debate.slug, "--kind", "comments", "--output", str(tmp_path / "comments.csv"))
    run(known.debate.slug, "--kind", "results", "--output", str(tmp_path / "results.csv"))

    assert stat.S_IMODE((tmp_path / "comments.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "results.csv").stat().st_mode) == 0o644


def test_moderator_kinds_are_written_to_the_audit_log(known, tmp_path):
    run(known.debate.slug, "--kind", "ballots", "--output", str(tmp_path / "b.xlsx"))
    run(known.debate.slug, "--kind", "results", "--output", str(tmp_path / "r.xlsx"))

    entry = AuditEntry.objects.get(action="export.download")
    assert entry.actor is None
    assert entry.target_id == str(known.debate.pk)
    assert entry.details["kind"] == "ballots"
    assert entry.details["format"] == "xlsx"
    assert entry.details["via"] == "command"


def test_it_draws_a_progress_bar_on_a_terminal(known, tmp_path):
    terminal = Terminal()
    run(known.debate.slug, "--kind", "ballots", "--output", str(tmp_path / "b.csv"), stderr=terminal)

    drawn = terminal.getvalue()
    assert drawn.startswith("\rballots [")
    assert "100% 7/7 rows" in drawn
    assert drawn.endswith("\n")


def test_no_progress_bar_when_not_on_a_terminal_or_when_quiet(known, tmp_path):
    _, err = run(known.debate.slug, "--kind", "ballots", "--output", str(tmp_path / "a.csv"))
    assert err == ""

    terminal = Terminal()
    out, _ = run(
        known.debate.slug, "--kind", "ballots", "--output", str(tmp_path / "b.csv"), stderr=terminal, verbosity=0
    )
    assert terminal.getvalue() == ""
    assert out == ""


def test_verbose_run_reports_the_schema_version(known, tmp_path):
    _, err = run(known.debate.slug, "--kind", "results", "--output", str(tmp_path / "r.csv"), verbosity=2)

    assert err.startswith("schema_version 1, generated ")
