"""No client address in any log line, whoever writes it: the app's own logging
and gunicorn's error log, which names the address of a malformed request."""

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forum.lib.logs import REMOVED, without_addresses
from tests.faults.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize(
    ("line", "clean"),
    [
        ("Invalid request from ip=203.0.113.9: Request Line is too large", f"ip={REMOVED}: Request"),
        ("Invalid request from ip=::1: Invalid HTTP Header", f"ip={REMOVED}: Invalid"),
        ("peer 2001:db8::8a2e:370:7334 went away", f"peer {REMOVED} went"),
        ("mapped ::ffff:198.51.100.7.", REMOVED),
    ],
)
def test_addresses_are_blanked_in_a_line(line, clean):
    assert clean in without_addresses(line)
    assert not any(part in without_addresses(line) for part in ("203.0.113.9", "::1:", "2001:db8", "198.51.100.7"))


def test_times_dates_versions_and_amounts_are_left_alone():
    line = "At 05:43:16 on 2026-12-01, Django 5.2 fined €20,000,000 (v1.2.3)"
    assert without_addresses(line) == line


def test_the_apps_log_handler_blanks_addresses_in_messages_and_tracebacks():
    handler = logging.getLogger().handlers[0]
    try:
        raise ValueError("bad input from 203.0.113.9")
    except ValueError:
        record = logging.LogRecord(
            "django.security", logging.WARNING, __file__, 1, "Refused %s", ("192.0.2.1",), sys.exc_info()
        )
    assert handler.filter(record)
    text = handler.format(record)
    assert "Refused [address removed]" in text
    assert "192.0.2.1" not in text
    assert "203.0.113.9" not in text


def test_gunicorns_logs_name_no_address_and_let_no_request_forge_a_line(tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "1", "VAR_DIR": str(tmp_path)}
    env["SCREEN_TOXICITY"] = "off"
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "forum.wsgi", "-c", "forum/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(200):
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError("gunicorn did not start")
        with connection:
            connection.settimeout(30)  # the port opens before the worker is ready, slowly on a busy machine
            connection.sendall(b"GET /?page=" + b"9" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert connection.recv(100).startswith(b"HTTP/1.1 414")  # Request-URI Too Long
        # A path that, decoded, would write a line of its own, a terminal escape and a NUL.
        forged = b"/x%0a%5B01/Dec/2026:06:00:00%20+0000%5D%20%22GET%20/moderation/%22%20200%1b%5B31m%00"
        with socket.create_connection(("127.0.0.1", port), timeout=30) as again:
            again.sendall(b"GET " + forged + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert again.recv(100).startswith(b"HTTP/1.1 400")  # a NUL in the path: refused, and logged
        for _ in range(100):  # the lines are written just after the answers
            if "Invalid request" in log_path.read_text() and '"GET /x' in log_path.read_text():
                break
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log_path.read_text()
    assert f"Invalid request from ip={REMOVED}" in text
    # The server's own address stays where it says where it listens, for the operator.
    listening = f"Listening at: http://127.0.0.1:{port}"
    assert listening in text
    assert "127.0.0.1" not in text.replace(listening, "")
    # The forged request is one line, its control characters written out.
    [line] = [line for line in text.splitlines() if '"GET /x' in line]
    assert "\\x0a[01/Dec/2026:06:00:00 +0000]" in line
    assert "\\x1b[31m\\x00" in line
    assert not any(line.startswith('[01/Dec/2026:06:00:00 +0000] "GET /moderation/"') for line in text.splitlines())
    assert "\x1b" not in text


def test_a_malformed_log_call_does_not_fail_the_request():
    """The filter formats the message; a call whose arguments do not fit is logging's to report, not ours to raise."""
    handler = logging.getLogger().handlers[0]
    record = logging.LogRecord("forum.x", logging.WARNING, __file__, 1, "count %d", ("abc",), None)
    assert handler.filter(record)
