"""Personas and data shared by every test: plain pytest fixtures, real database and cache."""

import datetime
import os
import time
import types
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from forum.debates.models import Debate, PollOption
from forum.debates.seed import ensure_clearview_debate
from forum.debates.services import participant_create
from forum.lib import ratelimit


def _uses_redis() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def _own_redis_database_per_worker() -> None:
    """Parallel workers (pytest-xdist: gw0, gw1, …) each have their own test
    database (pytest-django) and here their own Redis database, the URL's plus
    the worker's number, so that one worker emptying the cache never empties
    another's. Set before anything reads the cache."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not (worker.startswith("gw") and _uses_redis()):
        return
    location = urlsplit(settings.CACHES["default"]["LOCATION"])
    query = dict(parse_qsl(location.query))
    in_query = "db" in query or location.scheme == "unix"  # a socket's path is no database number
    database = int(query.get("db", 0) if in_query else location.path.strip("/") or 0) + int(worker[2:])
    if database > 15:
        raise pytest.UsageError(
            f"Test worker {worker} would use Redis database {database}, past Redis's 16: "
            "give REDIS_URL a lower database number, or run fewer workers (TEST_WORKERS)."
        )
    if in_query:
        location = location._replace(query=urlencode({**query, "db": database}))
    else:
        location = location._replace(path=f"/{database}")
    settings.CACHES["default"]["LOCATION"] = urlunsplit(location)


_own_redis_database_per_worker()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _clean_cache(request, django_db_blocker):
    """Start every test with an empty cache.

    The cache is real. Redis (in CI) is cleared by hand. The database table
    cache is emptied by an ordinary test's rollback, but a transactional test
    commits its rows and the flush that follows does not touch the table
    (it is not a model), so it is cleared after such a test.
    """
    if _uses_redis():
        cache.clear()
    yield
    if not _uses_redis() and _is_transactional(request):
        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture(autouse=True)
def _rate_windows_hold_still(monkeypatch):
    """Rate limits count in fixed windows that start on the minute, so a test
    whose requests crossed one saw its counters start again (five comments
    allowed, then five more). In the test process the limiter's clock stands
    still; tests of windows passing give ``now`` themselves."""
    frozen = time.time()
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: frozen))


@pytest.fixture
def no_rate_limits(settings):
    settings.RATE_LIMITS = False


@pytest.fixture
def debate(db):
    debate, _ = ensure_clearview_debate()
    return debate


@pytest.fixture
def second_debate(debate):
    """Another debate beside the Clearview one, with a yes/no poll."""
    other = Debate.objects.create(
        slug="second-debate",
        title="A second debate whose title runs on well past the fifty characters shown",
        summary="Another article.",
        source_name="Elsewhere",
        source_date=datetime.date(2026, 11, 1),
        source_url="https://example.org/second",
        question="Yes or no?",
    )
    PollOption.objects.create(debate=other, key="yes", label="Yes")
    PollOption.objects.create(debate=other, key="no", label="No", position=1)
    return other


@pytest.fixture
def anon(db) -> Client:
    """A reader with no key yet."""
    return Client()


@pytest.fixture
def make_participant(db):
    """Factory: a participant, its key, and a browser client holding the key cookie."""

    def make():
        participant, key = participant_create()
        client = Client()
        client.cookies[settings.PARTICIPANT_COOKIE_NAME] = key
        client.key = key
        client.participant = participant
        return client

    return make


@pytest.fixture
def reader(make_participant) -> Client:
    return make_participant()


@pytest.fixture
def api(db):
    """Factory: a JSON client that sends X-Participant-Key when given one."""

    class Api:
        def __init__(self):
            self.client = Client()

        def _headers(self, key):
            return {"HTTP_X_PARTICIPANT_KEY": key} if key else {}

        def get(self, path, key=None, **params):
            return self.client.get(path, params, **self._headers(key))

        def post(self, path, data=None, key=None):
            return self.client.post(path, data or {}, content_type="application/json", **self._headers(key))

        def patch(self, path, data, key=None):
            return self.client.patch(path, data, content_type="application/json", **self._headers(key))

        def delete(self, path, key=None):
            return self.client.delete(path, **self._headers(key))

    return Api()


def app_queries(ctx) -> list[str]:
    """The SQL of captured queries, less the database cache's own reads and
    writes and the savepoints around them (Redis makes none of these in CI), so
    counts are the same on both set-ups."""
    return [q["sql"] for q in ctx.captured_queries if "forum_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]]


def next_request() -> None:
    """Cross a request boundary as Django's ``request_started`` does (the test
    client leaves that out): a connection found unusable is closed, the next query reconnects."""
    connection.close_if_unusable_or_obsolete()


def second_postgresql_connection(dbname: str | None = None):
    """A psycopg connection beside the app's, to the app's database or ``dbname``."""
    db = connection.settings_dict
    dsn = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={dbname or db['NAME']}"
    return psycopg.connect(dsn, autocommit=True)
