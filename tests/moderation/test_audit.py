"""The audit log: every moderator action and security event, append-only,
filterable and exportable, with no raw address anywhere."""

import csv
import io
import json
import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from forum.moderation.audit import audit_record
from forum.moderation.models import AuditEntry
from tests.moderation.conftest import PASSWORD, make_user, totp_code


def test_an_entry_cannot_be_saved_twice(db):
    entry = audit_record(action="comment.approve", reason="first")
    entry.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_the_queryset_refuses_bulk_updates(db):
    audit_record(action="comment.approve")
    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.update(reason="rewritten")


def test_the_database_refuses_to_edit_an_entry_even_in_raw_sql(db):
    entry = audit_record(action="comment.reject", reason="abuse")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE moderation_auditentry SET reason = 'nothing to see' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == "abuse"


def test_deleting_a_moderator_account_keeps_who_acted(moderator, make_comment):
    comment = make_comment()
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "approve"})
    email = moderator.user.email
    moderator.user.delete()
    entry = AuditEntry.objects.get(action="comment.approve")
    assert entry.actor is None
    assert entry.actor_label == email


def test_every_moderator_action_is_recorded_with_status_before_and_after(moderator, make_comment, reader, debate):
    comment = make_comment("held")
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "reject", "reason": "hate"})
    moderator.post(f"/moderation/participants/{reader.participant.pk}/ban/", {"duration": "1d", "reason": "Hate"})
    moderator.post(f"/moderation/participants/{reader.participant.pk}/unban/")
    moderator.post(f"/moderation/participants/{reader.participant.pk}/notes/", {"body": "Note"})
    moderator.post("/moderation/rules/add/", {"pattern": "crook", "action": "reject"})
    moderator.post(
        f"/moderation/debates/{debate.pk}/settings/",
        {
            f"d{debate.pk}-premoderation": "first",
            f"d{debate.pk}-slow_mode_seconds": "60",
            f"d{debate.pk}-comments_open": "on",
        },
    )
    actions = list(AuditEntry.objects.exclude(action__startswith="security.").values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["comment.reject", "ban.create", "ban.lift", "note.create", "rule.create", "debate.settings"]
    )
    reject = AuditEntry.objects.get(action="comment.reject")
    assert (reject.status_before, reject.status_after, reject.reason) == ("pending", "rejected", "hate")
    assert reject.actor_label == moderator.user.email
    settings_entry = AuditEntry.objects.get(action="debate.settings")
    assert settings_entry.details["after"] == {"premoderation": "first", "slow_mode_seconds": 60, "comments_open": True}


def test_logins_failed_logins_and_failed_codes_are_security_events(db):
    user = make_user(moderator=True, with_2fa=True)
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post("/accounts/login/", {"login": user.email, "password": "wrong password"})
    client.post("/accounts/login/", {"login": "nobody@example.org", "password": "hunter2hunter2"})
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(user.totp_secret)})
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries] == [
        "security.login_failed",
        "security.login_failed",
        "security.2fa_failed",
        "security.login",
    ]
    known, unknown, code, login = entries
    assert known.actor_label == user.email
    assert (known.target_type, known.target_id) == ("user", str(user.pk))
    # What was typed for an unknown account is not kept: it could be a password.
    assert unknown.actor_label == ""
    assert "nobody" not in str(unknown.details)
    assert code.actor_label == user.email
    assert login.actor == user
    for entry in entries:
        assert len(entry.network_hash) == 32
        assert "198.51.100" not in str([getattr(entry, f.attname) for f in AuditEntry._meta.fields])


def test_throttled_logins_are_recorded(db):
    user = make_user(moderator=True, with_2fa=False)
    client = Client()
    for _ in range(7):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong password"})
    assert AuditEntry.objects.filter(action="security.login_throttled").exists()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.OK  # still refused while throttled
    assert not AuditEntry.objects.filter(action="security.login").exists()


def test_the_audit_page_filters_by_action_prefix_and_target(moderator, make_comment):
    a, b = make_comment("a"), make_comment("b")
    moderator.post(f"/moderation/comments/{a.pk}/decide/", {"action": "approve"})
    moderator.post(f"/moderation/comments/{b.pk}/decide/", {"action": "spam"})
    html = moderator.get("/moderation/audit/?action=comment.&target_type=comment&target_id=" + str(b.pk)).content
    html = html.decode()
    assert "comment.spam" in html
    assert "comment.approve" not in html
    security = moderator.get("/moderation/audit/?action=security.").content.decode()
    assert "security.login" in security
    assert "comment.spam" not in security


def test_the_audit_page_says_what_a_decision_closed(moderator, make_comment, make_participant):
    """Approving a reported comment leaves it published: 'published → published' alone hid that its reports closed."""
    reported = make_comment("Reported twice", status="published")
    for reader in (make_participant(), make_participant()):
        reader.post(f"/comments/{reported.pk}/report/", {"reason": "spam"})
    moderator.post(f"/moderation/comments/{reported.pk}/decide/", {"action": "approve"})
    html = " ".join(moderator.get("/moderation/audit/?action=comment.approve").content.decode().split())
    assert 'published → published <span class="small muted">(2 reports closed)</span>' in html


def test_the_audit_page_links_a_ban_to_its_participant(moderator, reader):
    pk = reader.participant.pk
    moderator.post(f"/moderation/participants/{pk}/ban/", {"duration": "1d", "reason": "Hate"})
    moderator.post(f"/moderation/participants/{pk}/unban/")
    html = moderator.get("/moderation/audit/?target_type=ban").content.decode()
    link = f'of <a href="/moderation/participants/{pk}/">participant #{pk}</a>'
    assert html.count(link) == 2  # the ban and its lifting


def test_the_audit_page_shows_reason_codes_in_words_and_a_moderators_words_as_typed(moderator):
    audit_record(action="comment.reject", reason="off_topic")
    audit_record(action="comment.hold", reason="suspect_word,too_many_links")
    audit_record(action="ban.create", reason="Posted the URL of EXAMPLE_SITE and said NO to GDPR")
    audit_record(action="rule.create", reason="clearv*")
    audit_record(action="rule.create", reason="hate")  # a pattern that is also a reason code
    html = moderator.get("/moderation/audit/").content.decode()
    for shown in ("<td>Off topic</td>", "<td>Suspect word, Too many links</td>", "<td>clearv*</td>", "<td>hate</td>"):
        assert shown in html
    assert "<td>Posted the URL of EXAMPLE_SITE and said NO to GDPR</td>" in html


def test_the_audit_page_says_which_second_factor_an_entry_is_about(moderator):
    # Setting up two-factor records two entries in the same second: the app and its recovery codes.
    for kind in ("totp", "recovery_codes"):
        audit_record(action="security.2fa_added", details={"type": kind})
    html = moderator.get("/moderation/audit/?action=security.2fa").content.decode()
    assert '<code>security.2fa_added</code> <span class="small muted">(authenticator app)</span>' in html
    assert '<code>security.2fa_added</code> <span class="small muted">(recovery codes)</span>' in html


@pytest.mark.parametrize(
    ("query", "field"),
    [("since=yesterday", "From"), ("until=2026-13-45", "To"), ("target_id=" + "9" * 65, "Target id")],
)
def test_a_bad_filter_is_a_message_and_never_the_whole_log(moderator, make_comment, query, field):
    moderator.post(f"/moderation/comments/{make_comment('Held').pk}/decide/", {"action": "approve"})
    response = moderator.get(f"/moderation/audit/?action=comment.&{query}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert "No entries are shown until the filters are valid." in page
    assert f"{field}:" in page  # named as the form labels it
    assert "comment.approve" not in page
    assert "Fix the filters above to see entries." in page
    assert "No entry matches." not in page
    exported = moderator.get(f"/moderation/audit/export.csv?action=comment.&{query}")
    assert exported.status_code == HTTPStatus.BAD_REQUEST
    assert exported.content.decode().startswith("The filters are not valid.")
    as_json = moderator.get(f"/moderation/audit/export.json?{query}")
    assert as_json.status_code == HTTPStatus.BAD_REQUEST
    assert as_json.json()["error"] == "invalid"
    assert not AuditEntry.objects.filter(action="audit.export").exists()


def test_the_export_is_filtered_spreadsheet_safe_and_itself_audited(moderator, reader):
    moderator.post(
        f"/moderation/participants/{reader.participant.pk}/ban/",
        {"duration": "1d", "reason": '=HYPERLINK("http://evil.example","click")'},
    )
    response = moderator.get("/moderation/audit/export.csv?action=ban.")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="audit-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["id", "created_at", "actor", "action"]
    assert [r[3] for r in rows[1:]] == ["ban.create"]
    assert rows[1][6].startswith("'=HYPERLINK")
    # The details are JSON, as the export's documentation says, not Python's notation.
    details = json.loads(rows[1][rows[0].index("details")])
    assert details["duration"] == "1d"
    as_json = moderator.get("/moderation/audit/export.json?action=ban.").json()
    assert [e["action"] for e in as_json["entries"]] == ["ban.create"]
    exports = AuditEntry.objects.filter(action="audit.export")
    assert exports.count() == 2
    assert exports.first().details["filters"] == {"action": "ban."}


def test_the_downloads_leave_the_network_hash_out(moderator):
    """The log keeps it for RETENTION_NETWORK_HASH_HOURS; a file would keep it for ever."""
    audit_record(action="security.forbidden", network_hash="a" * 32, details={"path": "/moderation/"})
    csv_text = b"".join(moderator.get("/moderation/audit/export.csv").streaming_content).decode()
    as_json = moderator.get("/moderation/audit/export.json").json()
    assert "security.forbidden" in csv_text
    assert "security.forbidden" in [e["action"] for e in as_json["entries"]]
    for text in (csv_text, json.dumps(as_json)):
        assert "a" * 32 not in text
        assert "network_hash" not in text


def test_the_audit_api_lists_entries(moderator, make_comment):
    comment = make_comment()
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "spam"})
    entries = moderator.get("/api/v1/moderation/audit?action=comment.").json()
    assert [(e["action"], e["target_id"], e["status_after"]) for e in entries] == [
        ("comment.spam", str(comment.pk), "spam")
    ]


def test_a_head_request_downloads_nothing_and_records_nothing(moderator, debate):
    """HEAD is answered on the pages (uptime probes), but not where a GET is
    counted or audited."""
    assert moderator.head("/moderation/audit/").status_code == HTTPStatus.OK
    for path in ("/moderation/audit/export.csv", f"/api/v1/debates/{debate.slug}/exports/ballots.csv"):
        assert moderator.head(path).status_code == HTTPStatus.METHOD_NOT_ALLOWED, path
    assert not AuditEntry.objects.filter(action__in=["audit.export", "export.download"]).exists()


def test_every_action_the_code_records_is_in_the_docs_table():
    root = Path(__file__).resolve().parent.parent.parent
    source = "\n".join(path.read_text() for path in (root / "forum").rglob("*.py"))
    written = set(
        re.findall(r'"((?:comment|ban|note|rule|debate|ballots|audit|moderator|export|security)\.[a-z0-9_]+)"', source)
    )
    written |= {f"comment.{decision}" for decision in ("approve", "reject", "spam")}  # action=f"comment.{decision}"
    documented = set(re.findall(r"`([a-z]+\.[a-z0-9_]+)`", (root / "docs" / "moderation.md").read_text()))
    assert written - documented == set()
