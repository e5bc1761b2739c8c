"""Ways to make the database or the cache unreachable for the length of a block."""

import contextlib
import re
import shutil
import socket
import subprocess
import time
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection

from forum.lib import ratelimit


@contextlib.contextmanager
def database_down():
    """Point the connection at a database that cannot be reached; restore it after.

    SQLite gets a file in a directory that does not exist; PostgreSQL a port
    where nothing listens. The next request after the block reconnects on its
    own, as the app does after an outage: no restart.
    """
    original = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-dir/forum.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_cache(port: int) -> dict:
    """CACHES pointing at a Redis on this loopback port, as settings.py configures it."""
    return {
        "default": {
            "BACKEND": "forum.lib.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "faults",
            # No pause before retrying, so that a test sees recovery at once.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "RETRY_AFTER_SECONDS": 0},
        }
    }


@pytest.fixture
def redis_port(settings):
    """A loopback port where Redis is not running yet, configured as the app's cache.

    ``start_redis()`` brings a real Redis up on it later, to show recovery
    without a restart. Skips when redis-server is not installed.
    """
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is missing: install it with `apt-get install redis-server`")
    port = free_port()
    settings.CACHES = redis_cache(port)
    servers = []

    def start_redis():
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers.append(server)
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    yield port, start_redis
    for server in servers:
        server.terminate()
        server.wait(timeout=10)
    cache.close()
    ratelimit._local.clear()  # what was counted in memory during the outage


def form_fields(html: str, action: str) -> dict:
    """The fields a browser would send from the first form posting to ``action`` (a URL ending, bar a #fragment)."""
    form = re.search(rf'<form method="post" action="[^"]*{re.escape(action)}(?:#[^"]*)?".*?</form>', html, re.S)
    form = form.group(0)
    fields = {
        name: unescape(value) for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
    }
    body = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', form, re.S)
    if body:
        fields["body"] = unescape(body.group(1))
    return fields
