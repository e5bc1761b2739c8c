"""The ballots export's CSV path (ready cells from one streamed query) agrees
with its typed path (JSON, XLSX) and stays one query however many rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Ballot, PollOption
from forum.debates.services import participant_create
from forum.moderation import exports
from forum.moderation.exports import build_export, write_text

from .conftest import parse_csv
from .readback import read_back

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def _ballots(debate, cast_times, *, option=None):
    option = option or debate.options.first()
    for cast_at in cast_times:
        Ballot.objects.create(
            debate=debate,
            participant=participant_create()[0],
            option=option,
            first_option=option,
            cast_at=cast_at,
            updated_at=cast_at,
        )


def test_cast_hour_is_rounded_down_at_the_boundaries_in_every_format(debate):
    _ballots(
        debate,
        [
            datetime.datetime(2026, 3, 1, 14, 59, 59, 999999, tzinfo=UTC),
            datetime.datetime(2026, 3, 1, 15, 0, 0, tzinfo=UTC),
            datetime.datetime(2026, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
            datetime.datetime(2027, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        ],
    )
    expected = ["2026-03-01T14:00:00Z", "2026-03-01T15:00:00Z", "2026-12-31T23:00:00Z", "2027-01-01T00:00:00Z"]

    for fmt in exports.FORMATS:
        _, rows, _ = read_back(debate, "ballots", fmt)
        assert sorted(r["cast_hour"] for r in rows) == expected, fmt


def test_csv_and_json_hold_the_same_ballots(known):
    _, csv_rows, _ = read_back(known.debate, "ballots", "csv")
    _, json_rows, _ = read_back(known.debate, "ballots", "json")

    def without_ids(rows):
        return sorted(tuple(v for k, v in r.items() if k != "ballot_id") for r in rows)

    assert without_ids(csv_rows) == without_ids(json_rows)
    assert len(csv_rows) == 7


def test_an_option_key_that_looks_like_a_formula_is_neutralised_in_csv_only(debate):
    option = PollOption.objects.create(debate=debate, key="-minus", label="Minus", position=9)
    _ballots(debate, [datetime.datetime(2026, 3, 1, 9, tzinfo=UTC)], option=option)

    export = build_export(debate, "ballots")
    (row,) = parse_csv("".join(write_text(export, "csv")).encode())
    assert (row["option"], row["first_option"]) == ("'-minus", "'-minus")
    _, (json_row,), _ = read_back(debate, "ballots", "json")
    assert json_row["option"] == "-minus"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_ballot_rows_come_from_one_query_across_many_chunks(known, monkeypatch, fmt):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    export = build_export(known.debate, "ballots")  # 1. the options

    with CaptureQueriesContext(connection) as ctx:
        text = "".join(write_text(export, fmt))
    # 1. the ballots, commenters and shuffle in one statement, fetched two rows at a time.
    # (PostgreSQL's server-side cursor adds its DECLARE/CLOSE bookkeeping, not a query per chunk.)
    selects = [q["sql"] for q in ctx.captured_queries if "debates_ballot" in q["sql"]]
    assert len(selects) == 1
    assert export.row_count == 7
    assert text.count("\n") >= 7
