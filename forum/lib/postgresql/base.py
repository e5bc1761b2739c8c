"""Django's PostgreSQL backend, health-checking only connections that sat idle.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query
of every request that reuses a connection. On a cached debate page, whose only
query is the debate itself, that round trip is a third of the request.

A connection that answered a moment ago is known to work; the ones that break
unnoticed are those left idle while the server restarted, failed over or a
proxy timed them out. So the check runs only when the connection has been
quiet for ``IDLE_SECONDS``. A connection that breaks in the middle of busy
traffic fails that one request with the site's 503 (``DatabaseUnavailable-
Middleware``), and Django discards it at the end of the request because an
error occurred on it; the next request reconnects, without a restart.
"""

import time

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    IDLE_SECONDS = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_active = 0.0  # time.monotonic() of the latest query's cursor

    def close_if_health_check_failed(self):
        if not self.health_check_done and time.monotonic() - self.last_active < self.IDLE_SECONDS:
            self.health_check_done = True
        super().close_if_health_check_failed()
        self.last_active = time.monotonic()
