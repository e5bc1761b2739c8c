"""Django's PostgreSQL backend, health-checking only connections that sat idle,
with a cursor for the hot statements that PostgreSQL plans once per connection.

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

Django binds parameters on the client and never prepares a statement, so
PostgreSQL parses and plans every query it is sent. For the one-statement
vote that planning is two thirds of PostgreSQL's work (0.6 of 0.9 ms).
``prepared_cursor()`` gives a cursor that binds on the server and has psycopg
prepare each statement on its first run on a connection (its
``prepare=True``): later runs skip parsing and, once PostgreSQL settles on a
generic plan, planning. Only the statements that ``forum.lib.prepared`` and
the hot reads send through it are prepared; every other query is Django's as
usual. psycopg forgets them all on a rollback and prepares them again.

A pooler in front of PostgreSQL must keep prepared statements: session mode,
or PgBouncer 1.22+ with ``max_prepared_statements`` in transaction mode.
``OPTIONS={"prepare_threshold": None}`` in ``DATABASES`` turns preparing off:
``prepared_cursor()`` then gives Django's ordinary cursor.
"""

import time

from django.db.backends.postgresql import base, operations
from django.utils.asyncio import async_unsafe
from psycopg import errors

_PREPARED = object()  # the cursor "name" that asks create_cursor for a preparing cursor

# A statement prepared on this connection that the server no longer has (a
# pooler's DISCARD ALL) or whose result no longer fits its table (a migration
# changed a column it reads, "cached plan must not change result type").
_STALE = (errors.InvalidSqlStatementName, errors.FeatureNotSupported)


class _PreparingCursor(base.ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        try:
            return super().execute(query, params, prepare=True, binary=binary)
        except _STALE as stale:
            # psycopg would send the same statement again on every run. Closed,
            # the connection fails this request only, as an outage does (a 503,
            # a comment handed back to its author): Django finds it unusable at
            # the end of the request and the next one connects afresh.
            self.connection.close()
            raise errors.OperationalError(f"a prepared statement went stale ({stale.sqlstate})") from stale


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # For logged queries (DEBUG, tests): psycopg keeps no client-side text of a
        # statement it bound on the server, so compose it, as Django does for
        # server-side binding.
        if not isinstance(cursor, _PreparingCursor):
            return super().last_executed_query(cursor, sql, params)
        try:
            return self.compose_sql(sql, params)
        except errors.DataError:
            return None


class DatabaseWrapper(base.DatabaseWrapper):
    IDLE_SECONDS = 1.0
    ops_class = DatabaseOperations

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_active = 0.0  # time.monotonic() of the latest query's cursor

    def close_if_health_check_failed(self):
        if not self.health_check_done and time.monotonic() - self.last_active < self.IDLE_SECONDS:
            self.health_check_done = True
        super().close_if_health_check_failed()
        self.last_active = time.monotonic()

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # Django leaves psycopg's preparing off (None) unless OPTIONS names a
        # threshold. Its own cursors bind on the client and never prepare whatever
        # this says (psycopg only counts their texts, a hundred at most); a number
        # turns preparing on for _PreparingCursor, which asks for it on every statement.
        if "prepare_threshold" not in self.settings_dict["OPTIONS"]:
            connection.prepare_threshold = 0
        return connection

    @async_unsafe
    def prepared_cursor(self):
        """A cursor whose statements are prepared on this connection, wrapped as
        Django wraps every cursor (errors, query logging, execute wrappers)."""
        return self._cursor(name=_PREPARED)

    def create_cursor(self, name=None):
        if name is not _PREPARED:
            return super().create_cursor(name)
        if self.connection.prepare_threshold is None:  # preparing turned off in OPTIONS
            return super().create_cursor()
        cursor = _PreparingCursor(self.connection)
        # As Django's create_cursor: the cursor's time zone, if the connection's differs.
        if self.timezone != self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT).timezone:
            base.register_tzloader(self.timezone, cursor)
        return cursor
