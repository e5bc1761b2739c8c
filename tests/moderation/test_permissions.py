"""Every moderation page and API endpoint refuses anonymous readers, participants,
logged-in non-moderators and moderators without two-factor, and opens for a
moderator whose session passed two-factor."""

from http import HTTPStatus

import pytest
from django.test import Client

from forum.debates.models import Comment, WordRule
from forum.moderation.models import AuditEntry

PERSONAS = ["anonymous", "participant", "non_moderator", "moderator_without_2fa", "moderator"]


@pytest.fixture
def world(debate, make_comment, make_participant, moderator, moderator_without_2fa, non_moderator):
    comment = make_comment("Held for review", reasons=["premoderation"])
    rule = WordRule.objects.create(pattern="scam*", action=WordRule.Action.HOLD)
    participant = make_participant()
    return {
        "comment": comment,
        "rule": rule,
        "clients": {
            "anonymous": Client(),
            "participant": participant,
            "non_moderator": non_moderator,
            "moderator_without_2fa": moderator_without_2fa,
            "moderator": moderator,
        },
        "debate": debate,
    }


def html_requests(w):
    c, r, d = w["comment"], w["rule"], w["debate"]
    p = c.participant_id
    return [
        ("get", "/moderation/", None),
        ("get", "/moderation/?tab=reported", None),
        ("get", f"/moderation/participants/{p}/", None),
        ("get", "/moderation/rules/", None),
        ("get", "/moderation/debates/", None),
        ("get", "/moderation/anomalies/", None),
        ("get", "/moderation/audit/", None),
        ("get", "/moderation/audit/export.csv", None),
        ("get", "/moderation/audit/export.json", None),
        ("post", f"/moderation/comments/{c.pk}/decide/", {"action": "approve"}),
        ("post", "/moderation/bulk/", {"ids": [c.pk], "action": "spam"}),
        ("post", f"/moderation/participants/{p}/ban/", {"duration": "1d", "reason": "Abuse"}),
        ("post", f"/moderation/participants/{p}/unban/", {}),
        ("post", f"/moderation/participants/{p}/notes/", {"body": "Watch this one"}),
        ("post", "/moderation/rules/add/", {"pattern": "crook", "action": "reject"}),
        ("post", f"/moderation/rules/{r.pk}/delete/", {}),
        ("post", "/moderation/rules/try/", {"text": "hello", "debate": d.pk}),
        (
            "post",
            f"/moderation/debates/{d.pk}/settings/",
            {f"d{d.pk}-premoderation": "all", f"d{d.pk}-slow_mode_seconds": "30"},
        ),
        (
            "post",
            "/moderation/anomalies/void/",
            {"debate": d.pk, "network_hash": "ab" * 16, "start": "2026-01-01T10:00:00+00:00"},
        ),
    ]


def api_requests(w):
    c, r = w["comment"], w["rule"]
    p = c.participant_id
    return [
        ("get", "/api/v1/moderation/queue", None),
        ("post", f"/api/v1/moderation/comments/{c.pk}/decision", {"action": "approve"}),
        ("post", "/api/v1/moderation/bulk", {"ids": [c.pk], "action": "spam"}),
        ("post", f"/api/v1/moderation/participants/{p}/ban", {"duration": "1d", "reason": "Abuse"}),
        ("delete", f"/api/v1/moderation/participants/{p}/ban", None),
        ("post", f"/api/v1/moderation/participants/{p}/notes", {"body": "Watch"}),
        ("get", "/api/v1/moderation/rules", None),
        ("post", "/api/v1/moderation/rules", {"pattern": "crook", "action": "reject"}),
        ("delete", f"/api/v1/moderation/rules/{r.pk}", None),
        ("get", "/api/v1/moderation/audit", None),
    ]


def _send(client, method, path, data, *, json=False):
    if method == "get":
        return client.get(path)
    if method == "delete":
        return client.delete(path)
    if json:
        return client.post(path, data, content_type="application/json")
    return client.post(path, data)


def _state(w):
    return (
        Comment.objects.get(pk=w["comment"].pk).status,
        WordRule.objects.count(),
        AuditEntry.objects.exclude(action__startswith="security.").count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_moderation_page_answers_each_persona_as_it_should(world, persona):
    client = world["clients"][persona]
    for method, path, data in html_requests(world):
        before = _state(world)
        response = _send(client, method, path, data)
        where = f"{persona} {method.upper()} {path}"
        if persona in ("anonymous", "participant"):
            assert response.status_code == HTTPStatus.FOUND, where
            assert response["Location"].startswith("/accounts/login/?next="), where
        elif persona == "non_moderator":
            assert response.status_code == HTTPStatus.FORBIDDEN, where
        elif persona == "moderator_without_2fa":
            assert response.status_code == HTTPStatus.FOUND, where
            assert response["Location"] == "/accounts/2fa/totp/activate/", where
        else:
            assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND), where
            continue
        assert _state(world) == before, f"{where} changed something"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_moderation_api_endpoint_answers_each_persona_as_it_should(world, persona):
    client = world["clients"][persona]
    for method, path, data in api_requests(world):
        before = _state(world)
        response = _send(client, method, path, data, json=True)
        where = f"{persona} {method.upper()} {path}"
        if persona == "moderator":
            assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, where
            assert response.status_code != HTTPStatus.FORBIDDEN, where
            continue
        assert response.status_code == HTTPStatus.FORBIDDEN, where
        body = response.json()
        assert body["error"] == "forbidden", where
        assert set(body) == {"error", "message", "fields"}, where
        assert _state(world) == before, f"{where} changed something"


def test_api_tells_a_moderator_without_2fa_to_set_it_up(moderator_without_2fa):
    response = moderator_without_2fa.get("/api/v1/moderation/queue")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "two-factor" in response.json()["message"]


def test_moderator_api_writes_need_the_csrf_token(moderator, make_comment):
    comment = make_comment()
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = moderator.cookies
    refused = strict.post(
        f"/api/v1/moderation/comments/{comment.pk}/decision", {"action": "approve"}, content_type="application/json"
    )
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    token = strict.get("/moderation/").cookies["csrftoken"].value
    accepted = strict.post(
        f"/api/v1/moderation/comments/{comment.pk}/decision",
        {"action": "approve"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == HTTPStatus.OK
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PUBLISHED


def test_a_session_that_skipped_the_code_is_asked_for_one(make_comment, db):
    from tests.moderation.conftest import make_user

    user = make_user(moderator=True, with_2fa=True)
    client = Client()
    client.force_login(user)  # a session opened without the two-factor stage
    response = client.get("/moderation/?tab=spam")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fmoderation%2F%3Ftab%3Dspam"


def test_leaving_the_group_or_losing_two_factor_counts_from_the_next_request(moderator):
    """The session's user carries both answers (adapters.SessionUserBackend): read afresh each request."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import BACKEND_SESSION_KEY

    assert moderator.session[BACKEND_SESSION_KEY] == "forum.moderation.adapters.SessionUserBackend"
    assert moderator.get("/moderation/").status_code == HTTPStatus.OK
    Authenticator.objects.filter(user=moderator.user).delete()
    assert moderator.get("/moderation/")["Location"] == "/accounts/2fa/totp/activate/"
    moderator.user.groups.clear()
    assert moderator.get("/moderation/").status_code == HTTPStatus.FORBIDDEN


def test_moderation_pages_are_never_cached(moderator):
    response = moderator.get("/moderation/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_moderation_endpoints_are_in_the_openapi_document(anon):
    paths = anon.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/moderation/queue",
        "/api/v1/moderation/comments/{comment_id}/decision",
        "/api/v1/moderation/bulk",
        "/api/v1/comments/{comment_id}/appeal",
        "/api/v1/transparency",
    ):
        assert path in paths, path
