"""403s, 429s and CSRF failures go to the audit log as security events, with the
network-prefix hash and never the address, at most one per kind, network and minute."""

import re
from http import HTTPStatus

import pytest
from django.test import Client

from forum.moderation.models import AuditEntry
from tests.moderation.conftest import log_in, make_user

SLUG = "clearview-ai-cnil-fine"


def _comment(client, i):
    return client.post(f"/api/v1/debates/{SLUG}/comments", {"body": f"Comment {i}"}, content_type="application/json")


def _assert_no_address(entry, *addresses):
    text = repr(entry.__dict__)
    for address in addresses:
        assert address not in text
    assert re.fullmatch(r"[0-9a-f]{32}", entry.network_hash)


def test_a_flood_of_429s_writes_one_event_per_network_and_minute(debate, settings):
    settings.RATE_LIMIT_COMMENTS_NETWORK = "3/60"
    flood = Client(REMOTE_ADDR="203.0.113.7")
    answers = [_comment(flood, i).status_code for i in range(50)]
    assert answers.count(HTTPStatus.TOO_MANY_REQUESTS) == 47
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert [_comment(other, i).status_code for i in range(4)][-1] == HTTPStatus.TOO_MANY_REQUESTS

    events = list(AuditEntry.objects.filter(action="security.rate_limited"))
    assert len(events) == 2
    assert len({e.network_hash for e in events}) == 2
    for entry in events:
        _assert_no_address(entry, "203.0.113", "198.51.100")
        assert entry.details["path"] == f"/api/v1/debates/{SLUG}/comments"


def test_a_csrf_failure_is_a_security_event(debate):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.44")
    response = client.post(f"/debates/{SLUG}/vote/", {"option": "useful"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    entry = AuditEntry.objects.get(action="security.csrf_failed")
    _assert_no_address(entry, "192.0.2.44")
    assert entry.details == {"method": "POST", "path": f"/debates/{SLUG}/vote/", "status": 403}


def test_a_comment_refused_by_the_csrf_check_comes_back_to_copy_but_not_to_send(debate):
    """An expired session loses no text; a post from another site gets no form to send it from."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/debates/{SLUG}/comments/", {"body": "An hour of writing <b>here</b>"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    page = response.content.decode()
    assert "Copy your text below, reload the page and send it again." in page
    assert '<textarea id="kept-text" rows="8" readonly>An hour of writing &lt;b&gt;here&lt;/b&gt;</textarea>' in page
    assert f'action="/debates/{SLUG}/comments/"' not in page


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_ORIGIN": "https://elsewhere.example"}],
)
def test_text_posted_from_another_site_is_not_shown_on_ours(debate, headers):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/debates/{SLUG}/comments/", {"body": "Paste your key at elsewhere.example"}, **headers)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "elsewhere.example</textarea>" not in response.content.decode()
    assert "Go back, reload the page and send it again." in response.content.decode()


def test_a_403_is_a_security_event_and_shows_in_the_audit_log(debate, make_participant, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    author, intruder = make_participant(), make_participant()
    comment = _comment(Client(headers={"X-Participant-Key": author.key}), 1).json()["id"]
    assert intruder.get(f"/comments/{comment}/edit/").status_code == HTTPStatus.FORBIDDEN
    entry = AuditEntry.objects.get(action="security.forbidden")
    _assert_no_address(entry, "127.0.0.1")
    assert entry.details["path"] == f"/comments/{comment}/edit/"

    moderator = log_in(make_user(moderator=True, with_2fa=True))
    page = moderator.get("/moderation/audit/", {"action": "security."}).content.decode()
    assert "security.forbidden" in page
    assert entry.network_hash[:8] in page
    # What was refused shows on the page, not only in the export.
    assert f"<code>GET /comments/{comment}/edit/</code>" in page
    assert "answered 403" in page
