"""Anything a participant erased is absent from later exports, and the totals still agree."""

import pytest

from forum.debates.models import Ballot, Comment
from forum.debates.privacy import participant_erase
from forum.moderation.exports import FORMATS

from .conftest import parse_xlsx
from .readback import export_bytes, read_back

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", FORMATS)
def test_erased_participants_leave_no_trace_in_later_exports(known, fmt):
    top, held = known.comments["top"], known.comments["held"]
    _, before, _ = read_back(known.debate, "ballots", fmt)
    assert len(before) == 7

    # people[0] wrote the top comment (someone replied to it); people[1] the held one.
    participant_erase(known.participants[0])
    participant_erase(known.participants[1])

    _, ballots, _ = read_back(known.debate, "ballots", fmt)
    assert len(ballots) == Ballot.objects.filter(debate=known.debate).count() == 5
    # Both erased voters had voted invasion on day 1 at nine.
    assert sorted((b["option"], b["cast_hour"]) for b in ballots if b["option"] == "invasion") == [
        ("invasion", "2026-03-03T12:00:00Z"),
        ("invasion", "2026-03-03T18:00:00Z"),
    ]

    _, comments, _ = read_back(known.debate, "comments", fmt)
    by_id = {c["id"]: c for c in comments}
    assert held.pk not in by_id
    # The top comment stays only as a text-less placeholder, because of the reply.
    placeholder = by_id[top.pk]
    assert (placeholder["status"], placeholder["stance"], placeholder["reasons"]) == ("deleted", None, [])
    assert placeholder["body"] in ("", None)  # empty text: "" in JSON, an empty cell elsewhere
    for kind in ("ballots", "comments", "audit", "results", "timeseries"):
        text = _all_text(known.debate, kind, fmt)
        assert "HYPERLINK" not in text
        assert "@SUM(1+1)" not in text


def _all_text(debate, kind, fmt) -> str:
    _, data = export_bytes(debate, kind, fmt)
    if fmt != "xlsx":
        return data.decode("utf-8")
    workbook = parse_xlsx(data)
    return "\n".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)


@pytest.mark.parametrize("fmt", FORMATS)
def test_totals_agree_after_an_erasure(known, fmt):
    participant_erase(known.participants[2])  # the one who changed from useful to unsure

    _, results, _ = read_back(known.debate, "results", fmt)
    _, series, _ = read_back(known.debate, "timeseries", fmt)
    last_day = max(r["day"] for r in series)

    assert sum(r["votes"] for r in results) == Ballot.objects.filter(debate=known.debate).count() == 6
    assert {r["key"]: r["cumulative_votes"] for r in series if r["day"] == last_day} == {
        r["key"]: r["votes"] for r in results
    }
    assert round(sum(r["percent"] for r in results), 6) == 100
    assert Comment.objects.filter(debate=known.debate).count() == 4
