"""Every kind in every format against the known data set, parsed back and compared."""

import datetime
import re

import pytest

from forum.debates.models import Ballot, Comment
from forum.debates.results import compute_results
from forum.debates.services import comment_create, participant_create, vote_cast, vote_withdraw
from forum.moderation.exports import FORMATS, SCHEMA_VERSIONS, build_export
from forum.moderation.models import AuditEntry

from .readback import read_back

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", FORMATS)
def test_results_match_the_database_in_every_format(known, fmt):
    metadata, rows, _ = read_back(known.debate, "results", fmt)

    assert rows == [
        {"key": o.key, "label": o.label, "votes": known.votes[o.key], "percent": known.percents[o.key]}
        for o in known.debate.options.all()
    ]
    assert sum(r["votes"] for r in rows) == Ballot.objects.filter(debate=known.debate).count() == 7
    assert round(sum(r["percent"] for r in rows), 6) == 100
    if metadata is not None:
        assert metadata["total_votes"] == 7
        assert metadata["changed_minds"] == 1
        assert metadata["schema_version"] == SCHEMA_VERSIONS["results"]
        assert metadata["question"] == known.debate.question
        assert metadata["time_zone"] == "UTC"


@pytest.mark.parametrize("fmt", FORMATS)
def test_timeseries_has_every_day_and_option_and_adds_up(known, fmt):
    _, rows, _ = read_back(known.debate, "timeseries", fmt)

    assert [(r["day"], r["key"]) for r in rows] == [
        (day, key) for day in ("2026-03-01", "2026-03-02", "2026-03-03") for key in ("useful", "invasion", "unsure")
    ]
    by = {(r["day"], r["key"]): r for r in rows}
    assert by["2026-03-01", "useful"] | {"label": None} == {
        "day": "2026-03-01",
        "key": "useful",
        "label": None,
        "new_votes": 2,
        "removed_votes": 0,
        "cumulative_votes": 2,
        "cumulative_share": 50.0,
    }
    # The quiet middle day repeats the first day's figures with no moves.
    assert (by["2026-03-02", "invasion"]["new_votes"], by["2026-03-02", "invasion"]["cumulative_votes"]) == (0, 2)
    assert by["2026-03-03", "useful"]["removed_votes"] == 1
    last_day = [r for r in rows if r["day"] == "2026-03-03"]
    assert {r["key"]: r["cumulative_votes"] for r in last_day} == known.votes
    assert {r["key"]: r["cumulative_share"] for r in last_day} == known.percents
    assert sum(r["cumulative_votes"] for r in last_day) == Ballot.objects.filter(debate=known.debate).count()
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        assert round(sum(r["cumulative_share"] for r in rows if r["day"] == day), 6) == 100


def test_the_results_pages_timeline_has_the_exports_days_and_votes(known):
    """Both read the daily tallies the same way: the chart spaces days evenly, so
    a quiet day must be there too, with the day before's figures."""
    _, rows, _ = read_back(known.debate, "timeseries", "json")
    timeline = compute_results(known.debate)["timeline"]
    assert [d["day"] for d in timeline] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert timeline[1]["votes"] == timeline[0]["votes"]
    assert [(d["day"], key, votes) for d in timeline for key, votes in d["votes"].items()] == [
        (r["day"], r["key"], r["cumulative_votes"]) for r in rows
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_published_comment_whose_participant_was_deleted_leaves_has_commented_a_boolean(known, fmt):
    """Deleting a participant row (from the admin) keeps their comments with no
    participant; ``x IN (…, NULL)`` is NULL, not false, for every other ballot."""
    Comment.objects.create(debate=known.debate, participant=None, body="Orphan.", body_html="<p>Orphan.</p>")
    _, rows, _ = read_back(known.debate, "ballots", fmt)
    assert len(rows) == 7
    assert sorted(r["has_commented"] for r in rows) == [False] * 5 + [True] * 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_ballots_are_exact_but_carry_no_identity(known, fmt):
    _, rows, _ = read_back(known.debate, "ballots", fmt)

    assert len(rows) == Ballot.objects.filter(debate=known.debate).count() == 7
    assert sorted((r["option"], r["first_option"], r["changes"], r["cast_hour"], r["has_commented"]) for r in rows) == (
        sorted(
            [
                ("invasion", "invasion", 0, "2026-03-01T09:00:00Z", True),
                ("invasion", "invasion", 0, "2026-03-01T09:00:00Z", False),
                ("unsure", "useful", 1, "2026-03-01T10:00:00Z", False),
                ("useful", "useful", 0, "2026-03-01T23:00:00Z", True),
                ("unsure", "unsure", 0, "2026-03-03T00:00:00Z", False),
                ("invasion", "invasion", 0, "2026-03-03T12:00:00Z", False),
                ("invasion", "invasion", 0, "2026-03-03T18:00:00Z", False),
            ]
        )
    )
    ids = [r["ballot_id"] for r in rows]
    assert len(set(ids)) == 7
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)
    secrets_in_db = {str(p.pk) for p in known.participants} | {str(b.pk) for b in Ballot.objects.all()}
    assert not secrets_in_db & set(ids)


def test_ballot_ids_and_row_order_differ_between_two_exports(known):
    first = [row for row in build_export(known.debate, "ballots").rows()][1:]
    second = [row for row in build_export(known.debate, "ballots").rows()][1:]

    assert not {r[0] for r in first} & {r[0] for r in second}
    # Seven rows in the same order twice by chance: 1 in 5,040. Try a few exports.
    orders = {tuple(r[1:] for r in [row for row in build_export(known.debate, "ballots").rows()][1:]) for _ in range(5)}
    assert len(orders) > 1


def test_ballots_export_has_no_key_hash_or_network_column(known):
    export = build_export(known.debate, "ballots")
    text = repr(list(export.rows()))

    assert [c.name for c in export.columns] == [
        "ballot_id",
        "option",
        "first_option",
        "changes",
        "cast_hour",
        "has_commented",
    ]
    assert "f" * 32 not in text
    for person in known.participants:
        assert person.key_hash not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_comments_match_the_database_in_every_format(known, fmt):
    _, rows, _ = read_back(known.debate, "comments", fmt)
    c = known.comments

    assert rows == [
        {
            "id": c["top"].pk,
            "parent_id": None,
            "stance": "invasion",
            "status": "published",
            "reasons": [],
            "created_at": "2026-03-01T11:00:00Z",
            "edited_at": None,
            "likes": 3,
            "reports": 1,
            "body": '=HYPERLINK("http://evil.example","click")',
            "reply_to_id": None,
        },
        {
            "id": c["reply"].pk,
            "parent_id": c["top"].pk,
            "stance": "useful",
            "status": "published",
            "reasons": [],
            "created_at": "2026-03-01T12:00:00Z",
            "edited_at": "2026-03-01T12:05:00Z",
            "likes": 0,
            "reports": 0,
            "body": '+1, and a second line\nwith a "quote", a comma',
            "reply_to_id": None,
        },
        {
            "id": c["held"].pk,
            "parent_id": None,
            "stance": None,
            "status": "pending",
            "reasons": ["links"],
            "created_at": "2026-03-03T08:00:00Z",
            "edited_at": None,
            "likes": 0,
            "reports": 0,
            "body": "@SUM(1+1)*cmd|' /C calc'!A0",
            "reply_to_id": None,
        },
        {
            "id": c["rejected"].pk,
            "parent_id": None,
            "stance": None,
            "status": "rejected",
            "reasons": ["banned_word", "links"],
            "created_at": "2026-03-03T09:00:00Z",
            "edited_at": None,
            "likes": 0,
            "reports": 0,
            "body": "-2+3",
            "reply_to_id": None,
        },
    ]
    assert len(rows) == Comment.objects.filter(debate=known.debate).count()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reply_below_the_last_level_names_the_comment_it_answers(debate, fmt, no_rate_limits):
    """It hangs under the third level's parent (``parent_id``) and answers the
    third-level comment (``reply_to_id``), as the page and the API say."""
    participant = participant_create()[0]
    ids = [None]
    for level in range(5):
        created = comment_create(debate=debate, participant=participant, body=f"level {level}", parent_id=ids[-1])
        ids.append(created.comment.pk)
    _, rows, _ = read_back(debate, "comments", fmt)
    assert [(r["parent_id"], r["reply_to_id"]) for r in rows] == [
        (None, None),
        (ids[1], None),
        (ids[2], None),
        (ids[3], None),
        (ids[3], ids[4]),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_audit_export_is_the_log_without_network_hashes(known, fmt):
    AuditEntry.objects.create(action="security.login_failed", network_hash="a" * 32, details={"email": "x@y.z"})
    metadata, rows, _ = read_back(known.debate, "audit", fmt)

    assert len(rows) == AuditEntry.objects.count() == 2
    first = rows[0]
    assert first["action"] == "comment.reject"
    assert first["target_type"] == "comment"
    assert first["target_id"] == str(known.comments["rejected"].pk)
    assert first["reason"] == "=cmd|' /C calc'!A0"
    assert first["details"] == {"note": "@x"}
    assert "network_hash" not in first
    assert all("a" * 32 not in str(row) for row in rows)
    if metadata is not None:
        assert metadata["scope"] == "site"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_poll_exports_zeros_not_errors(debate, fmt):
    for kind in ("results", "timeseries", "ballots", "comments", "audit"):
        _, rows, _ = read_back(debate, kind, fmt)
        if kind == "results":
            assert [(r["votes"], r["percent"]) for r in rows] == [(0, 0.0)] * 3
        else:
            assert rows == []


def test_timeseries_follows_real_votes_changes_and_withdrawals(debate, no_rate_limits):
    people = [participant_create()[0] for _ in range(5)]
    for person, key in zip(people, ["useful", "useful", "invasion", "unsure", "unsure"], strict=True):
        vote_cast(debate=debate, participant=person, option_key=key)
    vote_cast(debate=debate, participant=people[0], option_key="invasion")
    vote_withdraw(debate=debate, participant=people[4])

    _, series, _ = read_back(debate, "timeseries", "json")
    _, results, _ = read_back(debate, "results", "json")

    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert {r["key"]: r["cumulative_votes"] for r in series if r["day"] == today} == {
        r["key"]: r["votes"] for r in results
    }
    assert {r["key"]: (r["new_votes"], r["removed_votes"]) for r in series} == {
        "useful": (2, 1),
        "invasion": (2, 0),
        "unsure": (2, 1),
    }
    assert sum(r["votes"] for r in results) == Ballot.objects.filter(debate=debate).count() == 4


def test_poll_close_time_is_in_the_metadata_once_passed(debate):
    closes = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    debate.poll_closes_at = closes
    debate.save()

    metadata = build_export(debate, "results", now=closes + datetime.timedelta(days=1)).metadata
    assert metadata["poll_closed_at"] == closes
    assert metadata["poll_open"] is False
    metadata = build_export(debate, "results", now=closes - datetime.timedelta(days=1)).metadata
    assert metadata["poll_closed_at"] is None
    assert metadata["poll_closes_at"] == closes
    assert metadata["poll_open"] is True
