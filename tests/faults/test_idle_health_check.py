"""PostgreSQL connections are health-checked only after sitting idle
(forum/lib/postgresql), and a broken one never outlives the request that found it.

Each test breaks the app's real connection by terminating its server process
from a second connection, then crosses a request boundary the way Django's
``request_started`` signal does.
"""

import pytest
from django.db import OperationalError, connection

from tests.conftest import next_request, second_postgresql_connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the idle health check is PostgreSQL's"),
]


def select_one() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0]


def terminate_app_connection() -> None:
    pid = connection.connection.info.backend_pid
    with second_postgresql_connection("postgres") as admin:
        # With a timeout it waits until the process has gone (PostgreSQL 14+): without
        # one, a busy machine could run the next query before the signal lands.
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


def test_a_connection_idle_for_a_while_is_checked_and_replaced_without_failing_the_request():
    assert select_one() == 1
    terminate_app_connection()
    connection.last_active -= connection.IDLE_SECONDS + 1  # it sat idle since
    next_request()
    assert select_one() == 1


def test_a_connection_in_steady_use_is_not_checked_and_a_broken_one_is_dropped_after_one_failure():
    assert select_one() == 1
    terminate_app_connection()
    next_request()
    with pytest.raises(OperationalError):  # no SELECT 1 first: the request's own query finds it
        select_one()
    next_request()  # Django discards a connection that had an error...
    assert select_one() == 1  # ...and the next request reconnects, without a restart.
