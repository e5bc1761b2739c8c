"""A Redis cache that degrades to "no cache" when Redis is away, instead of failing requests.

Almost everything the app keeps in Redis is a copy of what the database holds
(rendered pages, poll results, rankings, the network pepper, sessions in
``cached_db``): when Redis does not answer, a read is a miss and a write is
skipped, and the page is built from the database as on a cold start.

Two kinds of use must not pretend: counters and locks (``add``, ``incr``,
``count``; ``decr`` goes through ``incr``), whose callers decide how to degrade (see ``forum.lib.ratelimit``),
and keys under ``FAIL_CLOSED_PREFIXES`` (allauth's login rate limits): they
raise, and the outage middleware answers 503, so moderator login fails closed.

After a failure Redis is left alone for ``RETRY_AFTER_SECONDS`` so that a
host that swallows packets costs one connect timeout, not one per cache call.
Recovery needs no restart: the next call after that pause tries again.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("forum.faults")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call, which costs
    about 120 µs of Python, as much as the call's round trip to Redis. One
    is enough: it takes a connection from its pool for each command and is
    safe to share between threads.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER_SECONDS", 5))
        self.fail_closed_prefixes = tuple(options.pop("FAIL_CLOSED_PREFIXES", ("allauth:",)))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _call(self, key_or_keys, operation, fallback, *, strict=False):
        keys = key_or_keys if isinstance(key_or_keys, (list, tuple, set, dict)) else [key_or_keys]
        strict = strict or any(str(k).startswith(self.fail_closed_prefixes) for k in keys)
        if time.monotonic() < self._down_until:
            if strict:
                raise RedisConnectionError("the cache is marked unreachable after a recent failure")
            return fallback
        try:
            result = operation()
        except UNREACHABLE as exc:
            with self._lock:
                if self._down_until == 0.0:
                    logger.warning("cache unreachable (%s): serving without it", exc.__class__.__name__)
                self._down_until = time.monotonic() + self.retry_after
            if strict:
                raise
            return fallback
        if self._down_until:
            with self._lock:
                if self._down_until:
                    logger.warning("cache reachable again")
                self._down_until = 0.0
        return result

    # Copies of database data: a miss or a skipped write when Redis is away.
    def get(self, key, default=None, version=None):
        return self._call(key, lambda: super(FailSoftRedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._call(list(keys), lambda: super(FailSoftRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._call(key, lambda: super(FailSoftRedisCache, self).has_key(key, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(key, lambda: super(FailSoftRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            list(data), lambda: super(FailSoftRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(key, lambda: super(FailSoftRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._call(key, lambda: super(FailSoftRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        return self._call(list(keys), lambda: super(FailSoftRedisCache, self).delete_many(keys, version), None)

    # Counters and locks: the caller must know.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            key, lambda: super(FailSoftRedisCache, self).add(key, value, timeout, version), False, strict=True
        )

    def incr(self, key, delta=1, version=None):
        return self._call(key, lambda: super(FailSoftRedisCache, self).incr(key, delta, version), None, strict=True)

    def count(self, counters: list[tuple[str, int]]) -> list[int]:
        """Add one to each counter (a key, created with its timeout in seconds) and
        return the new values, atomically and in one round trip: a ``MULTI``
        of ``SET NX EX`` and ``INCR`` per key. Django's ``add`` then ``incr``
        take three round trips per counter (``incr`` asks ``EXISTS`` first)."""

        def operation():
            pipeline = self._cache.get_client(write=True).pipeline(transaction=True)
            for key, timeout in counters:
                key = self.make_and_validate_key(key)
                pipeline.set(key, 0, ex=timeout, nx=True)
                pipeline.incr(key)
            return pipeline.execute()[1::2]

        return self._call([key for key, _ in counters], operation, None, strict=True)
