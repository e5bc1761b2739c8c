"""Fixed-window rate limits kept in the shared cache.

A limit is written ``"5/60,30/3600"``: at most 5 per 60 seconds and 30 per
hour. Counters live in the default cache, which is Redis or the database
table shared by every worker and app server, never per-process memory.

Counting is atomic on both: Redis counts every window of an event in one
``MULTI`` (one round trip, ``FailSoftRedisCache.count``), and the database
table is updated under a lock (SQLite's write lock, taken at BEGIN IMMEDIATE;
a PostgreSQL advisory lock on the counter's key), because the table cache's
own ``incr`` is a read then a write that concurrent requests would interleave.

When Redis does not answer, counting falls back to this process's memory and
says so in the log: writes keep working, and each worker still holds every
client to the limits (a client spread over N workers gets at most N times
them) until Redis is back, which needs no restart.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .cache import FailSoftRedisCache

logger = logging.getLogger("forum.faults")

_local = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 50_000}})


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int


def parse(spec: str) -> list[Window]:
    windows = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            limit, seconds = (int(x) for x in part.split("/"))
        except ValueError:
            raise ImproperlyConfigured(f"bad rate limit {spec!r}: write it as 'count/seconds,count/seconds'") from None
        windows.append(Window(limit, seconds))
    return windows


def _add_one(backend, key: str, timeout: int) -> int:
    backend.add(key, 0, timeout=timeout)
    try:
        return backend.incr(key)
    except ValueError:  # expired between add and incr
        backend.set(key, 1, timeout=timeout)
        return 1


def _count(counters: list[tuple[str, int]]) -> list[int]:
    """Add one to each counter (a key and its timeout) and return the new values, atomically."""
    backend = caches["default"]
    if isinstance(backend, DatabaseCache):
        alias = router.db_for_write(backend.cache_model_class)
        counts = []
        for key, timeout in counters:
            with transaction.atomic(using=alias):
                connection = connections[alias]
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
                counts.append(_add_one(backend, key, timeout))
        return counts
    try:
        if isinstance(backend, FailSoftRedisCache):
            return backend.count(counters)  # every window in one round trip
        return [_add_one(backend, key, timeout) for key, timeout in counters]
    except (RedisConnectionError, RedisTimeoutError) as exc:
        logger.warning("rate limits counted in process memory: the cache is unreachable (%s)", type(exc).__name__)
        return [_add_one(_local, key, timeout) for key, timeout in counters]


def _read(key: str) -> int:
    try:
        shared = caches["default"].get(key, 0)
    except (RedisConnectionError, RedisTimeoutError):
        shared = 0
    # Whatever was counted here during an outage still counts.
    return max(shared, _local.get(key, 0))


def hit(scope: str, ident: str, spec: str, *, now: float | None = None) -> int:
    """Count one event for ``ident``; return 0 when allowed, else seconds to wait.

    Every window is counted even when an earlier one already refuses, so a
    client hammering the server does not get a fresh short window for free.
    """
    if not settings.RATE_LIMITS or not ident:
        return 0
    now = time.time() if now is None else now
    windows = parse(spec)
    buckets = [int(now // window.seconds) for window in windows]
    counts = _count(
        [
            (f"rl:{scope}:{window.seconds}:{ident}:{bucket}", window.seconds + 1)
            for window, bucket in zip(windows, buckets, strict=True)
        ]
    )
    retry_after = 0
    for window, bucket, count in zip(windows, buckets, counts, strict=True):
        if count > window.limit:
            retry_after = max(retry_after, int((bucket + 1) * window.seconds - now) + 1)
    return retry_after


def peek(scope: str, ident: str, spec: str, *, now: float | None = None) -> int:
    """Seconds to wait if ``ident`` is over a limit now, without counting an event."""
    if not settings.RATE_LIMITS or not ident:
        return 0
    now = time.time() if now is None else now
    retry_after = 0
    for window in parse(spec):
        bucket = int(now // window.seconds)
        if _read(f"rl:{scope}:{window.seconds}:{ident}:{bucket}") >= window.limit:
            retry_after = max(retry_after, int((bucket + 1) * window.seconds - now) + 1)
    return retry_after
