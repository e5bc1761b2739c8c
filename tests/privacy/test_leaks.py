"""Nothing leaks: no client address in any log, and the key only where it is shown once."""

import datetime
import logging
import re
import runpy
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from gunicorn.config import Config
from gunicorn.glogging import Logger

from forum.debates.models import Comment

from .probes import SLUG, browser, comment_form, key_of, vote_form

GUNICORN_CONF = Path(settings.BASE_DIR) / "forum" / "gunicorn.conf.py"
CLIENT_ADDR = "192.0.2.213"
FORWARDED_ADDR = "198.18.7.41"


def gunicorn_settings() -> dict:
    return {k: v for k, v in runpy.run_path(str(GUNICORN_CONF)).items() if not k.startswith("__")}


def test_the_gunicorn_access_log_format_has_no_client_address():
    fmt = gunicorn_settings()["access_log_format"]
    atoms = re.findall(r"%\(([^)]+)\)s", fmt)
    assert atoms  # the format was parsed
    assert "h" not in atoms
    headers = [a for a in atoms if a.startswith("{")]
    assert not [a for a in headers if re.search(r"forwarded|real-ip|client|remote_addr", a, re.IGNORECASE)]
    assert gunicorn_settings().get("loglevel", "info") != "debug"  # gunicorn's debug lines name the peer


class _Response:
    status = "200 OK"
    sent = 1234
    headers = (("Content-Type", "text/html"),)


class _Request:
    headers = (("X-FORWARDED-FOR", FORWARDED_ADDR), ("USER-AGENT", "probe"))


def test_a_line_rendered_by_gunicorn_with_our_format_holds_no_address():
    cfg = Config()
    for name, value in gunicorn_settings().items():
        if name in cfg.settings:
            cfg.set(name, value)
    environ = {
        "REMOTE_ADDR": CLIENT_ADDR,
        "HTTP_X_FORWARDED_FOR": FORWARDED_ADDR,
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/me/",
        "PATH_INFO": "/me/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logger = Logger(cfg)
    atoms = logger.atoms_wrapper_class(logger.atoms(_Response(), _Request(), environ, datetime.timedelta(seconds=0.02)))
    line = cfg.access_log_format % atoms
    assert "GET /me/" in line
    assert CLIENT_ADDR not in line
    assert FORWARDED_ADDR not in line


@pytest.fixture
def every_log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _logged(caplog) -> str:
    """Every record as a formatter writes it, plus its message and arguments."""
    parts = [caplog.text]
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args)]
    return "\n".join(parts)


def test_no_log_record_carries_the_client_address(debate, every_log, settings):
    settings.RATE_LIMIT_MY_DATA = "2/60"
    settings.TRUSTED_PROXIES = 1
    headers = {"REMOTE_ADDR": CLIENT_ADDR, "HTTP_X_FORWARDED_FOR": FORWARDED_ADDR}
    reader = Client(**headers)
    strict = Client(enforce_csrf_checks=True, **headers)
    option = debate.options.first().key

    reader.post(f"/debates/{SLUG}/vote/", vote_form(option))
    reader.post(f"/debates/{SLUG}/comments/", comment_form("An ordinary comment."))
    reader.get("/")
    reader.get("/no-such-page/")  # 404
    reader.get("/me/")
    reader.get("/me/download/")
    assert reader.get("/me/").status_code == HTTPStatus.TOO_MANY_REQUESTS
    strict.post(f"/debates/{SLUG}/vote/", {"option": option})  # CSRF failure
    reader.get("/moderation/")  # not a moderator
    reader.get("/api/v1/me", HTTP_X_PARTICIPANT_KEY="wrong")
    reader.post("/api/v1/debates/nope/comments", {}, content_type="application/json")
    reader.post("/me/erase/")

    assert every_log.records  # 404, 403 and 429 were logged
    text = _logged(every_log)
    assert CLIENT_ADDR not in text
    assert FORWARDED_ADDR not in text
    assert "192.0.2." not in text
    assert "198.18.7." not in text


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


def test_the_key_is_never_in_a_url_a_log_line_or_any_page_but_the_one_that_shows_it(debate, every_log, no_rate_limits):
    b = browser("203.0.113.5")
    seen = []  # (what, text) of every page, header and link the browser met

    def visit(method, url, data=None, **extra):
        response = getattr(b, method)(url, data or {}, **extra)
        body = response.content.decode(errors="replace")
        seen.append((f"{method} {url}", body))
        seen.extend((f"link on {url}", link) for link in _links(body))
        if "Location" in response:
            seen.append((f"redirect from {url}", response["Location"]))
        return response

    option = debate.options.first().key
    response = visit("post", f"/debates/{SLUG}/vote/", vote_form(option))
    key = key_of(b)
    assert response.status_code == HTTPStatus.FOUND
    shown_once = b.get(response["Location"]).content.decode()
    assert key in shown_once  # the one page that shows a new key

    visit("post", f"/debates/{SLUG}/comments/", comment_form("My comment, for the record."))
    comment = Comment.objects.get()
    for url in (
        "/",
        f"/debates/{SLUG}/",
        f"/debates/{SLUG}/results/",
        f"/comments/{comment.pk}/edit/",
        f"/comments/{comment.pk}/delete/",
        "/me/",
        "/me/erase/",
        "/me/key/rotate/",
        "/me/key/restore/",
        "/privacy/",
    ):
        visit("get", url)
    download = b.get("/me/download/").content.decode()
    assert key not in download  # the data file holds the key's hash, not the key

    rotated = b.post("/me/key/rotate/", follow=True)
    new_key = key_of(b)
    assert new_key in rotated.content.decode()  # shown on the page the change leads to
    for url in ("/", "/me/", f"/debates/{SLUG}/"):
        visit("get", url)

    api = Client(REMOTE_ADDR="203.0.113.5")
    mine = api.get("/api/v1/me", HTTP_X_PARTICIPANT_KEY=new_key)
    seen.append(("GET /api/v1/me", mine.content.decode()))
    visit("post", "/me/erase/")

    leaks = [what for what, text in seen if key in text or new_key in text]
    assert leaks == []
    logged = _logged(every_log)
    assert key not in logged
    assert new_key not in logged
