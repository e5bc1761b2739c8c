"""Fixed-window rate limits kept in the shared cache.

A limit is written ``"5/60,30/3600"``: at most 5 per 60 seconds and 30 per
hour. Counters live in the default cache, which is Redis or the database
table shared by every worker and app server, never per-process memory.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured


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


def hit(scope: str, ident: str, spec: str, *, now: float | None = None) -> int:
    """Count one event for ``ident``; return 0 when allowed, else seconds to wait.

    Every window is counted even when an earlier one already refuses, so a
    client hammering the server does not get a fresh short window for free.
    """
    if not settings.RATE_LIMITS or not ident:
        return 0
    now = time.time() if now is None else now
    retry_after = 0
    for window in parse(spec):
        bucket = int(now // window.seconds)
        key = f"rl:{scope}:{window.seconds}:{ident}:{bucket}"
        cache.add(key, 0, timeout=window.seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window.seconds + 1)
            count = 1
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
        count = cache.get(f"rl:{scope}:{window.seconds}:{ident}:{bucket}", 0)
        if count >= window.limit:
            retry_after = max(retry_after, int((bucket + 1) * window.seconds - now) + 1)
    return retry_after
