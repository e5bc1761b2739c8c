"""The benchmark's moderator session (``bench/seed.py``) opens the queue, or the
queue scenario would measure a redirect to the login page."""

import importlib.util
import sys
from http import HTTPStatus
from pathlib import Path

from django.conf import settings
from django.test import Client

SEED = Path(__file__).resolve().parents[2] / "bench" / "seed.py"


def test_the_benchmarks_moderator_session_opens_the_queue(db, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts bench/ first; undone after the test
    spec = importlib.util.spec_from_file_location("bench_seed", SEED)
    seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = seed._moderator_session()
    response = client.get("/moderation/")
    assert response.status_code == HTTPStatus.OK
    assert "Pending" in response.content.decode()
