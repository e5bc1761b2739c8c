"""The whole journey through the real pages and API: take part, look at one's data,
download it, erase it, and find nothing left anywhere."""

import datetime
import json
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.utils import timezone

from forum.debates.models import (
    Appeal,
    Ballot,
    Ban,
    Comment,
    CommentRevision,
    DailyTally,
    Erasure,
    Like,
    Participant,
    Report,
    WordRule,
)
from forum.debates.services import appeal_create
from forum.moderation.audit import audit_record
from forum.moderation.models import AuditEntry

from .probes import SLUG, browser, comment_form, key_of, rows_mentioning, rows_pointing_at, vote_form

A_ADDR = "203.0.113.77"
B_ADDR = "198.51.100.23"
DETAIL = f"/debates/{SLUG}/"
API_COMMENTS = f"/api/v1/debates/{SLUG}/comments"


def api_headers(key):
    return {"HTTP_X_PARTICIPANT_KEY": key}


@pytest.fixture
def journey(debate, no_rate_limits):
    """Reader A takes part through the pages, reader B through the API, and they interact."""
    options = list(debate.options.all())
    WordRule.objects.create(pattern="quarantine*", action=WordRule.Action.HOLD)
    a = browser(A_ADDR)
    b = browser(B_ADDR)

    assert a.post(f"/debates/{SLUG}/vote/", vote_form(options[0].key)).status_code == (HTTPStatus.FOUND)
    a.post(f"/debates/{SLUG}/vote/", vote_form(options[1].key))  # a change of mind
    a.post(f"/debates/{SLUG}/comments/", comment_form("Alpha-top: faces are not public property."))
    participant_a = Participant.objects.get()
    key_a = key_of(a)
    a1 = Comment.objects.get(body__startswith="Alpha-top")

    created = b.post(API_COMMENTS, {"body": "Bravo-top: the fine is too small."}, content_type="application/json")
    key_b = created.json()["participant_key"]
    b1 = Comment.objects.get(pk=created.json()["id"])
    b2_id = b.post(
        API_COMMENTS, {"body": "Bravo-second: scraping is fine."}, content_type="application/json", **api_headers(key_b)
    ).json()["id"]
    b.post(
        API_COMMENTS,
        {"body": "Bravo-reply: I disagree with you.", "parent_id": a1.pk},
        content_type="application/json",
        **api_headers(key_b),
    )
    vote_b = {"option": options[0].key}
    b.post(f"/api/v1/debates/{SLUG}/vote", vote_b, content_type="application/json", **api_headers(key_b))
    b.post(f"/api/v1/comments/{a1.pk}/like", content_type="application/json", **api_headers(key_b))

    a.post(f"/debates/{SLUG}/comments/", comment_form("Alpha-reply: first draft.", parent_id=b1.pk))
    a2 = Comment.objects.get(body__startswith="Alpha-reply")
    assert a.post(f"/comments/{a2.pk}/edit/", {"body": "Alpha-reply: second thoughts."}).status_code == HTTPStatus.FOUND
    a.post(f"/debates/{SLUG}/comments/", comment_form("Alpha-held: quarantined thought."))
    a3 = Comment.objects.get(body__startswith="Alpha-held")
    assert a3.status == Comment.Status.PENDING
    appeal_create(comment_id=a3.pk, participant=participant_a, note="Alpha-appeal: please look again.")
    assert a.post(f"/comments/{b1.pk}/like/").status_code == HTTPStatus.FOUND
    assert a.post(f"/comments/{b2_id}/report/", {"reason": "abuse", "note": "Alpha-report-note"}).status_code == (
        HTTPStatus.FOUND
    )

    network_a = Ballot.objects.get(participant=participant_a).network_hash
    ban = Ban.objects.create(
        participant=participant_a,
        network_hash=network_a,
        reason="Alpha-ban-reason",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    # What the moderation app writes when it bans and decides (forum/moderation/services.py).
    audit_record(action="ban.create", target=ban, network_hash=network_a, details={"participant": participant_a.pk})
    audit_record(action="comment.approve", target=a1, status_before="pending", status_after="published")
    audit_record(action="rule.create", target=WordRule.objects.get(), reason="quarantine*")
    return {
        "a": a,
        "b": b,
        "participant_a": participant_a,
        "key_a": key_a,
        "key_b": key_b,
        "network_a": network_a,
        "a_comments": [a1, a2, a3],
        "b1": b1,
        "tokens": [
            "Alpha-top",
            "Alpha-reply",
            "first draft",
            "Alpha-held",
            "Alpha-appeal",
            "Alpha-report-note",
            "Alpha-ban-reason",
        ],
    }


def test_the_download_holds_exactly_what_the_database_holds(journey):
    a, participant = journey["a"], journey["participant_a"]
    response = a.get("/me/download/")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content)

    assert data["participant"]["id"] == participant.pk
    assert data["participant"]["key_sha256"] == participant.key_hash
    assert {c["id"]: (c["body"], c["status"]) for c in data["comments"]} == {
        c.pk: (c.body, c.status) for c in Comment.objects.filter(participant=participant)
    }
    held = next(c for c in data["comments"] if c["status"] == "pending")
    assert [r["code"] for r in held["reasons"]] == ["suspect_word"]
    assert held["reasons"][0]["text"]
    edited = next(c for c in data["comments"] if c["body"].startswith("Alpha-reply"))
    assert [v["body"] for v in edited["earlier_versions"]] == list(
        CommentRevision.objects.filter(comment__participant=participant).values_list("body", flat=True)
    )
    assert [a["note"] for a in data["appeals"]] == ["Alpha-appeal: please look again."]

    ballot = Ballot.objects.select_related("option", "first_option").get(participant=participant)
    [exported] = data["ballots"]
    assert exported["current_choice"]["key"] == ballot.option.key
    assert exported["first_choice"]["key"] == ballot.first_option.key
    assert exported["changes"] == ballot.changes == 1
    assert exported["network_hash"] == ballot.network_hash

    assert [like["comment_id"] for like in data["likes"]] == list(
        Like.objects.filter(participant=participant).values_list("comment_id", flat=True)
    )
    assert [(r["comment_id"], r["note"]) for r in data["reports"]] == list(
        Report.objects.filter(participant=participant).values_list("comment_id", "note")
    )
    assert [b["reason"] for b in data["bans"]] == ["Alpha-ban-reason"]
    hashes = {(h["held_with"], h["value"]) for h in data["network_hashes"]}
    commented = {("comment", c.network_hash) for c in Comment.objects.filter(participant=participant)}
    assert commented
    assert hashes == {("ballot", journey["network_a"]), ("ban", journey["network_a"])} | commented
    for h in data["network_hashes"]:
        stored = datetime.datetime.fromisoformat(h["stored_at"].replace("Z", "+00:00"))
        expires = datetime.datetime.fromisoformat(h["expires_at"].replace("Z", "+00:00"))
        assert expires - stored == datetime.timedelta(hours=settings.RETENTION_NETWORK_HASH_HOURS)


def test_the_api_returns_the_same_data_as_the_download(journey, api):
    download = json.loads(journey["a"].get("/me/download/").content)
    response = api.get("/api/v1/me", key=journey["key_a"])
    assert response.status_code == HTTPStatus.OK
    from_api = response.json()
    download.pop("generated_at")
    from_api.pop("generated_at")
    assert from_api == download


def test_the_my_data_page_shows_everything_including_held_comments_and_reasons(journey):
    page = journey["a"].get("/me/").content.decode()
    for token in ("Alpha-top", "Alpha-reply: second thoughts.", "first draft", "Alpha-held", "Alpha-appeal"):
        assert token in page
    assert "Alpha-report-note" in page
    assert "Alpha-ban-reason" in page
    assert journey["network_a"] in page
    assert "Awaiting moderation" in page
    assert "cannot be recovered" in page or "nobody can recover it" in page


def test_erasing_leaves_no_trace_of_the_participant_anywhere(journey, api):
    a, participant, key_a = journey["a"], journey["participant_a"], journey["key_a"]
    a1, a2, a3 = journey["a_comments"]
    before = api.get(f"/api/v1/debates/{SLUG}/results", key=journey["key_b"]).json()
    assert before["total"] == 2

    confirm = a.get("/me/erase/")
    assert confirm.status_code == HTTPStatus.OK
    assert "Erase everything now" in confirm.content.decode()

    response = a.post("/me/erase/")
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert response.cookies[settings.PARTICIPANT_COOKIE_NAME]["max-age"] == 0
    page = a.get(response["Location"]).content.decode()
    assert "Your data was erased" in page
    assert "Comments, in every status" in page

    # No row in any table points at the participant or holds its key, hashes or words.
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert rows_pointing_at(participant.pk) == []
    assert rows_mentioning([key_a, participant.key_hash, journey["network_a"], *journey["tokens"]]) == []
    erased_refs = {("participant", str(participant.pk)), *(("comment", str(c.pk)) for c in (a1, a2, a3))}
    assert not [e for e in AuditEntry.objects.all() if (e.target_type, e.target_id) in erased_refs]
    redacted = AuditEntry.objects.filter(action__in=["ban.create", "comment.approve"])
    assert all(e.details.get("redacted") == "erasure" and e.target_id == "" for e in redacted)
    assert redacted.count() == 2
    untouched = AuditEntry.objects.get(action="rule.create")
    assert untouched.target_id
    assert "redacted" not in untouched.details

    # A reply by someone else keeps a text-less placeholder above it; the rest is gone.
    placeholder = Comment.objects.get(pk=a1.pk)
    assert (placeholder.status, placeholder.body, placeholder.participant_id) == ("deleted", "", None)
    assert not Comment.objects.filter(pk__in=[a2.pk, a3.pk]).exists()
    assert not Appeal.objects.exists()
    assert Comment.objects.get(pk=journey["b1"].pk).like_count == 0

    # The public page and the API no longer show the text; the poll total dropped by one.
    public = journey["b"].get(DETAIL).content.decode()
    listed = json.dumps(api.get(API_COMMENTS).json())
    for token in journey["tokens"]:
        assert token not in public
        assert token not in listed
    assert "Bravo-reply" in public
    assert "This comment was deleted." in public
    after = api.get(f"/api/v1/debates/{SLUG}/results", key=journey["key_b"]).json()
    assert after["total"] == before["total"] - 1
    assert sum(t.added - t.removed for t in DailyTally.objects.all()) == 1

    # The key no longer works anywhere.
    assert api.get("/api/v1/me", key=key_a).status_code == HTTPStatus.FORBIDDEN
    assert browser(A_ADDR).post("/me/key/restore/", {"key": key_a}).status_code == HTTPStatus.BAD_REQUEST

    # The erasure is on record with counts and a time, nothing else.
    record = Erasure.objects.get()
    assert record.counts == {
        "appeals": 1,
        "audit_entries_redacted": 2,
        "ballots": 1,
        "bans": 1,
        "comments": 3,
        "earlier_versions": 1,
        "likes": 1,
        "network_hashes": 1,
        "participant": 1,
        "placeholders_kept": 1,
        "reports": 1,
        "trigger": "request",
    }


def test_erasing_through_the_api_matches_the_page(journey, api):
    response = api.delete("/api/v1/me", key=journey["key_a"])
    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["erased"]["comments"] == 3
    assert body["erased"]["ballots"] == 1
    assert "trigger" not in body["erased"]
    assert rows_pointing_at(journey["participant_a"].pk) == []
    assert rows_mentioning([journey["key_a"], journey["network_a"], *journey["tokens"]]) == []
    assert api.delete("/api/v1/me", key=journey["key_a"]).status_code == HTTPStatus.FORBIDDEN


def test_cached_pages_and_results_change_the_moment_of_erasure(journey, api):
    # Warm every cache a reader can hit, then erase.
    assert api.get(f"/api/v1/debates/{SLUG}/results", key=journey["key_b"]).json()["total"] == 2
    journey["b"].get(f"/debates/{SLUG}/results/")
    passer_by = browser("192.0.2.50")  # no key: served from the page cache
    assert "Alpha-top" in passer_by.get(DETAIL).content.decode()
    journey["a"].post("/me/erase/")
    assert "Alpha-top" not in passer_by.get(DETAIL).content.decode()
    assert api.get(f"/api/v1/debates/{SLUG}/results", key=journey["key_b"]).json()["total"] == 1
    page = journey["b"].get(f"/debates/{SLUG}/results/").content.decode()
    assert "Alpha" not in page


@pytest.mark.skipif("export_poll_results" not in get_commands(), reason="the exports command is not installed")
def test_later_exports_lack_everything_erased(journey, tmp_path):
    journey["a"].post("/me/erase/")
    for kind in ("comments", "ballots", "audit"):
        path = tmp_path / f"{kind}.json"
        call_command("export_poll_results", SLUG, kind=kind, fmt="json", output=str(path), verbosity=0)
        text = path.read_text()
        for token in journey["tokens"]:
            assert token not in text, (kind, token)
        assert journey["network_a"] not in text
    ballots = json.loads((tmp_path / "ballots.json").read_text())
    assert len(ballots["rows"]) == 1  # only B's ballot is left
