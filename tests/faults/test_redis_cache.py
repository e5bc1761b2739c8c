"""How the app talks to a real Redis: one client per connection pool, and the
rate limits' counters in one round trip per event, each with its expiry."""

import os
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from redis.connection import Connection

from forum.lib import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def commands_sent(monkeypatch):
    """How many times the app wrote to Redis (a pipeline is one write)."""
    sent = []
    real_send = Connection.send_packed_command

    def counting_send(self, command, *args, **kwargs):
        sent.append(command)
        return real_send(self, command, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_packed_command", counting_send)
    return sent


def test_one_redis_client_serves_every_call_and_outlives_an_outage(redis_port, monkeypatch):
    """Django's own client built a new redis.Redis for every call (about 120 µs
    each); ours keeps one per connection pool, which reconnects after an outage."""
    _, start_redis = redis_port
    made = []
    real_init = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        made.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    assert cache.get("answer") is None  # Redis is not running yet: a miss
    start_redis()
    for n in range(20):
        cache.set(f"answer-{n}", n)
        assert cache.get(f"answer-{n}") == n
    assert cache.get_many([f"answer-{n}" for n in range(3)]) == {"answer-0": 0, "answer-1": 1, "answer-2": 2}
    assert len(made) == 1


def test_rate_limits_count_every_window_in_one_round_trip_and_expire(redis_port, commands_sent):
    port, start_redis = redis_port
    start_redis()
    cache.get("connect")  # the connection's own handshake is not counted
    now = 1_800_000_000.0  # on the hour: both windows start here
    answers = []
    for _ in range(3):
        commands_sent.clear()
        answers.append(ratelimit.hit("comment", "someone", "2/60,5/3600", now=now))
        assert len(commands_sent) == 1  # was three per window: SET NX, EXISTS, INCR
    assert answers == [0, 0, 61]  # the third is refused until the minute ends
    assert ratelimit.peek("comment", "someone", "2/60,5/3600", now=now) == 61
    assert ratelimit.hit("comment", "someone", "2/60,5/3600", now=now + 60) == 0  # a new minute; 4 of 5 this hour
    assert ratelimit.hit("comment", "someone", "2/60,5/3600", now=now + 61) == 0
    assert ratelimit.hit("comment", "someone", "2/60,5/3600", now=now + 62) == 3600 - 62 + 1

    raw = redis.Redis(port=port)
    keys = sorted(k.decode() for k in raw.keys("*rl:comment:*"))
    assert [k.split(":", 2)[2] for k in keys] == [
        "rl:comment:3600:someone:500000",
        "rl:comment:60:someone:30000000",
        "rl:comment:60:someone:30000001",
    ]
    counts = [int(raw.get(k)) for k in keys]
    assert counts == [6, 3, 3]
    ttls = [raw.ttl(k) for k in keys]
    # Counters never outlive their window.
    assert 3590 < ttls[0] <= 3601, ttls
    assert all(55 < t <= 61 for t in ttls[1:]), ttls


def test_each_parallel_test_worker_empties_only_its_own_redis_database():
    """Under pytest-xdist (``make test``, CI) on Redis, every worker's cache is
    the configured Redis database plus the worker's number (tests/conftest.py)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("only parallel runs on Redis share a Redis server between workers")
    configured = int(urlsplit(os.environ["REDIS_URL"]).path.strip("/") or 0)
    mine = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert mine.connection_pool.connection_kwargs["db"] == configured + int(worker[2:])
    cache.set("whose", worker)
    assert mine.exists(cache.make_key("whose"))
