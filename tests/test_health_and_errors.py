from http import HTTPStatus

import pytest
from django.db import connection


def test_healthz_is_ok_when_database_and_cache_answer(anon):
    response = anon.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


@pytest.mark.parametrize("path", ["/", "/healthz", "/debates/clearview-ai-cnil-fine/results/", "/privacy/"])
def test_head_requests_are_answered_like_gets(anon, debate, path):
    """Uptime checks and load balancers often probe with HEAD."""
    response = anon.head(path)
    assert response.status_code == HTTPStatus.OK
    assert response.content == b""


@pytest.mark.django_db(transaction=True)
def test_healthz_says_503_when_the_database_is_unreachable(client):
    original = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-dir/forum.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"].startswith("error")


def test_unknown_page_uses_the_site_error_page(anon, debate):
    response = anon.get("/no/such/page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Page not found" in response.content
    assert b"Back to the debate" in response.content


def test_every_html_response_has_a_strict_content_security_policy(anon, debate):
    response = anon.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_privacy_page_reads_numbers_from_configuration(anon, settings, debate):
    settings.RETENTION_NETWORK_HASH_HOURS = 51
    html = anon.get("/privacy/").content.decode()
    assert "Deleted after 51 hours" in html
