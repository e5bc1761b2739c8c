"""Keyed hashes of the client's network prefix, under a rotating pepper.

Rate limits, per-network caps and network bans all key on this value. The raw
address is never stored or logged; the pepper changes every
NETWORK_PEPPER_ROTATION_HOURS and old peppers are deleted by
purge_expired_data, after which their hashes can no longer be tied to any
network.
"""

import datetime
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from forum.lib.client_ip import client_ip
from forum.lib.hashing import keyed_network_hash, network_prefix

from .models import NetworkPepper


def current_period(now=None) -> int:
    now = now or timezone.now()
    return int(now.timestamp() // (settings.NETWORK_PEPPER_ROTATION_HOURS * 3600))


def period_ends_at(now=None) -> datetime.datetime:
    """When the current period's hashes stop matching anyone's network: a network
    ban recorded now blocks that network until then at the latest."""
    hours = settings.NETWORK_PEPPER_ROTATION_HOURS
    return datetime.datetime.fromtimestamp((current_period(now) + 1) * hours * 3600, tz=datetime.UTC)


# The current period's pepper, kept by each process: a period's pepper never
# changes once made, and only peppers of past periods are ever deleted.
_current: dict[int, bytes] = {}


def current_pepper() -> bytes:
    """The pepper of the current period, read once per period by each process."""
    period = current_period()
    secret = _current.get(period)
    if secret is None:
        secret = pepper_for(period)
        _current.clear()
        _current[period] = secret
    return secret


def pepper_for(period: int) -> bytes:
    """The pepper of a period, created once and shared by every app server."""
    cache_key = f"pepper:{period}"
    secret = cache.get(cache_key)
    if secret is None:
        row = NetworkPepper.objects.filter(period=period).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = NetworkPepper.objects.create(period=period, secret=secrets.token_bytes(32))
            except IntegrityError:  # another worker created it first
                row = NetworkPepper.objects.get(period=period)
        secret = bytes(row.secret)
        cache.set(cache_key, secret, timeout=3600)
    return secret


def network_hash(request) -> str:
    """The keyed hash of this request's /24 or /64 network for the current period."""
    cached = getattr(request, "_network_hash", None)
    if cached is None:
        cached = keyed_network_hash(network_prefix(client_ip(request)), current_pepper())
        request._network_hash = cached
    return cached
