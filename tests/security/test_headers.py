"""Security headers on every response, whatever produced it: pages, JSON, static
files, downloads and every error; HSTS and __Host- cookies under HTTPS."""

import json
import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

from forum.debates.models import Ballot
from forum.debates.services import comment_create

ROOT = Path(__file__).resolve().parent.parent.parent
SLUG = "clearview-ai-cnil-fine"


def _every_kind_of_response(debate, reader) -> dict:
    anon = Client(raise_request_exception=False)
    strict = Client(enforce_csrf_checks=True)
    too_fast = Client()
    return {
        "page": anon.get("/"),
        "page with a key": reader.get(f"/debates/{SLUG}/"),
        "results page": anon.get(f"/debates/{SLUG}/results/"),
        "json": anon.get("/api/v1/debates"),
        "json error": anon.post(f"/api/v1/debates/{SLUG}/vote", "{", content_type="application/json"),
        "json 404": anon.get("/api/v1/no-such-thing"),
        "static file": anon.get(staticfiles_storage.url("forum/site.css")),
        "download": reader.get("/me/key/download/"),
        "404 page": anon.get("/no/such/page/"),
        "405": anon.put(f"/debates/{SLUG}/vote/"),
        "400 too many fields": anon.post(f"/debates/{SLUG}/comments/", {f"f{i}": "x" for i in range(300)}),
        "403 csrf": strict.post(f"/debates/{SLUG}/vote/", {"option": "useful"}),
        "429": [
            too_fast.post(f"/api/v1/debates/{SLUG}/comments", {"body": f"n{i}"}, "application/json") for i in range(40)
        ][-1],
        "500": anon.get("/test-only/broken/"),
        "redirect": reader.post(f"/debates/{SLUG}/vote/withdraw/"),
    }


@pytest.mark.urls("tests.security.error_urls")
def test_every_kind_of_response_carries_the_security_headers(debate, reader):
    responses = _every_kind_of_response(debate, reader)
    assert responses["429"].status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert responses["500"].status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert responses["403 csrf"].status_code == HTTPStatus.FORBIDDEN
    assert responses["static file"].status_code == HTTPStatus.OK
    for kind, response in responses.items():
        assert response["X-Content-Type-Options"] == "nosniff", kind
        assert response["Referrer-Policy"] == "same-origin", kind
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", kind
        assert response["X-Frame-Options"] == "DENY", kind
        policy = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy, kind
        assert "unsafe-inline" not in policy, kind
        assert "unsafe-eval" not in policy, kind
        if response["Content-Type"].startswith("text/html"):
            assert "script-src 'self'" in policy, kind
            assert "object-src 'none'" in policy, kind
        else:
            assert policy.startswith("default-src 'none'"), kind
        assert "Strict-Transport-Security" not in response, kind  # plain HTTP in development
        response.close()  # the static file is streamed from an open file


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
client = Client()
answers = {}
for name, path, secure in [
    ("page", "/me/key/restore/", True),
    ("404", "/no/such/page/", True),
    ("json 404", "/api/v1/no-such-thing", True),
    ("static", staticfiles_storage.url("forum/site.css"), True),
    ("plain http", "/me/key/restore/", False),
]:
    response = client.get(path, secure=secure)
    answers[name] = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {name: {"secure": bool(c["secure"]), "path": c["path"], "domain": c["domain"]}
                    for name, c in response.cookies.items()},
    }
answers["settings"] = {name: getattr(settings, name) for name in (
    "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "PARTICIPANT_COOKIE_NAME",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT")}
from forum.debates.identity import SHOW_KEY_COOKIE
from forum.debates.views.me import ERASED_COOKIE
answers["short-lived cookies"] = [SHOW_KEY_COOKIE, ERASED_COOKIE]
print(json.dumps(answers))
"""


def test_under_https_every_response_has_hsts_and_cookies_use_host_prefixed_names(tmp_path):
    # HTTPS is read once at start-up, so the settings module runs in a process of its own.
    env = {k: v for k, v in os.environ.items() if k not in ("PRODUCTION", "DEBUG", "DATABASE_URL", "REDIS_URL")}
    env.update(
        HTTPS="on",
        ALLOWED_HOSTS="testserver",
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="forum.settings",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers.pop("settings") == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "PARTICIPANT_COOKIE_NAME": "__Host-participant",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
    }
    # The key shown once and the erasure's receipt: named under the same rule.
    assert answers.pop("short-lived cookies") == ["__Host-show_key", "__Host-erased"]
    redirect = answers.pop("plain http")
    assert redirect["status"] == HTTPStatus.MOVED_PERMANENTLY
    assert redirect["headers"]["Location"] == "https://testserver/me/key/restore/"
    assert "frame-ancestors 'none'" in redirect["headers"]["Content-Security-Policy"]
    for kind, answer in answers.items():
        headers = answer["headers"]
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000"), kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], kind
    # The __Host- prefix demands Secure, Path=/ and no Domain, or browsers drop the cookie.
    assert answers["page"]["cookies"] == {"__Host-csrftoken": {"secure": True, "path": "/", "domain": ""}}


def test_the_participant_cookie_meets_the_host_prefix_rules_under_https(debate, settings):
    settings.HTTPS = True
    settings.PARTICIPANT_COOKIE_NAME = "__Host-participant"
    settings.FORM_MIN_SECONDS = 0
    settings.VOTE_MIN_SECONDS = 0
    settings.RATE_LIMITS = False
    reader = Client()
    response = reader.post(f"/debates/{SLUG}/vote/", {"option": "useful"}, secure=True)
    assert response.status_code == HTTPStatus.FOUND
    cookie = response.cookies["__Host-participant"]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    assert django_settings.PARTICIPANT_COOKIE_NAME == "__Host-participant"


def test_json_answers_vary_by_the_participant_key_and_a_keyed_one_is_private(debate, reader):
    """A shared cache in front of the app must never hand one reader's listing
    (their held comments, their vote) to another."""
    url = f"/api/v1/debates/{SLUG}/comments"
    shared = Client().get(url)
    keyed = Client().get(url, HTTP_X_PARTICIPANT_KEY=reader.key)
    for response in (shared, keyed):
        assert "X-Participant-Key" in response["Vary"]
    assert "private" not in shared.get("Cache-Control", "")
    assert "private" in keyed["Cache-Control"]
    assert "X-Participant-Key" not in Client().get("/").get("Vary", "")  # the page varies by its cookie


def test_a_readers_own_page_is_private_and_the_one_showing_the_key_is_never_stored(debate, settings):
    settings.VOTE_MIN_SECONDS = 0
    settings.RATE_LIMITS = False
    reader = Client()
    voted = reader.post(f"/debates/{SLUG}/vote/", {"option": "useful"})
    with_key = reader.get(voted["Location"])
    assert reader.cookies[settings.PARTICIPANT_COOKIE_NAME].value in with_key.content.decode()
    assert "no-store" in with_key["Cache-Control"]
    assert "private" in with_key["Cache-Control"]
    again = reader.get(f"/debates/{SLUG}/")
    assert "private" in again["Cache-Control"]
    assert "no-store" not in again["Cache-Control"]  # the browser's back button keeps working
    assert "private" not in Client().get(f"/debates/{SLUG}/").get("Cache-Control", "")
    # So is every other page that reader opens: the status of their held comment, its edit page.
    mine = comment_create(debate=debate, participant=Ballot.objects.get().participant, body="Mine.").comment
    for page in (f"/comments/{mine.pk}/edit/", f"/comments/{mine.pk}/status/", "/comments/mine/"):
        response = reader.get(page)
        assert response.status_code == HTTPStatus.OK, page
        assert "private" in response["Cache-Control"], page
    static_file = reader.get(staticfiles_storage.url("forum/site.css"))
    static_file.close()  # the file it streams
    assert "private" not in static_file.get("Cache-Control", "")
