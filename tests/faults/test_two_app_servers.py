"""Two app servers on different ports, sharing PostgreSQL and Redis: what one
writes the other shows at once, and rate limits and bans hold across both.

Runs only where the app is configured for that (DATABASE_URL on PostgreSQL and
REDIS_URL set), as in the second pass of the CI.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from forum.debates.services import participant_from_key
from forum.moderation.models import BanDuration
from forum.moderation.services import ban_create

from .conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
SLUG = "clearview-ai-cnil-fine"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
        reason="needs DATABASE_URL on PostgreSQL and REDIS_URL (the CI's second pass)",
    ),
]


def call(port, method, path, body=None, key=None):
    """One HTTP request to a server; returns (status, JSON body or None)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"X-Participant-Key": key} if key else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, (json.loads(raw) if raw else None)


@pytest.fixture
def servers(debate, tmp_path):
    """Two gunicorn processes on free loopback ports, against this test's database."""
    db = connection.settings_dict
    credentials = f"{db['USER']}:{db['PASSWORD'] or ''}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": django_settings.CACHES["default"]["LOCATION"],
        "CACHE_PREFIX": django_settings.CACHES["default"].get("KEY_PREFIX", ""),
        "SECRET_KEY": django_settings.SECRET_KEY,
        "CONN_MAX_AGE": "0",  # no connection outlives the test, so the database can be dropped
        "WEB_CONCURRENCY": "1",
        "RATE_LIMITS": "on",
        "RATE_LIMIT_COMMENTS": "3/3600",  # windows start on the hour: a run seldom crosses one
        "HOST": "127.0.0.1",
        "VAR_DIR": str(tmp_path),
    }
    processes, ports, logs = [], [], []
    for n in range(2):
        port = free_port()
        log = (tmp_path / f"server-{n}.log").open("w")
        logs.append(log)
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "forum.wsgi", "-c", "forum/gunicorn.conf.py"],
                cwd=ROOT,
                env={**env, "PORT": str(port)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        ports.append(port)
    try:
        deadline = time.monotonic() + 60
        for port in ports:
            while True:
                try:
                    if call(port, "GET", "/healthz")[0] == HTTPStatus.OK:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / "server-0.log").read_text()
                time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        for log in logs:
            log.close()


def test_what_one_server_writes_the_other_shows_and_limits_and_bans_are_shared(servers):
    a, b = servers
    status, voted = call(a, "POST", f"/api/v1/debates/{SLUG}/vote", {"option": "invasion"})
    assert status == HTTPStatus.OK
    key = voted["participant_key"]
    status, results = call(b, "GET", f"/api/v1/debates/{SLUG}/results", key=key)
    assert results["visible"]
    assert results["total"] == 1
    assert {o["key"]: o["votes"] for o in results["options"]}["invasion"] == 1

    status, _ = call(b, "POST", f"/api/v1/debates/{SLUG}/comments", {"body": "Written through B."}, key=key)
    assert status == HTTPStatus.CREATED
    status, listed = call(a, "GET", f"/api/v1/debates/{SLUG}/comments")
    assert [c["body_html"] for c in listed["results"]] == ["<p>Written through B.</p>"]

    # RATE_LIMIT_COMMENTS is 3 an hour, counted in Redis whichever server answers.
    answers = [
        call(port, "POST", f"/api/v1/debates/{SLUG}/comments", {"body": f"Comment {i}."}, key=key)[0]
        for i, port in enumerate([a, b, a, b])
    ]
    assert answers == [HTTPStatus.CREATED, HTTPStatus.CREATED, 429, 429]

    # A second reader, banned through the moderation service, is refused by both.
    status, other = call(b, "POST", f"/api/v1/debates/{SLUG}/vote", {"option": "useful"})
    other_key = other["participant_key"]
    ban_create(
        participant_id=participant_from_key(other_key).pk, moderator=None, duration=BanDuration.DAY, reason="Test"
    )
    for port in (a, b):
        status, refused = call(port, "POST", f"/api/v1/debates/{SLUG}/vote", {"option": "unsure"}, key=other_key)
        assert status == HTTPStatus.FORBIDDEN
        assert refused["error"] == "banned"
        # The ban covers the network it came from too: a reader there without a key is refused as well.
        status, refused = call(port, "POST", f"/api/v1/debates/{SLUG}/comments", {"body": "New key, same network."})
        assert status == HTTPStatus.FORBIDDEN
