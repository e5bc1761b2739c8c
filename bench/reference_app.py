"""The debate page's reference: a trivial WSGI app that answers every request
with a fixed HTML body of BODY_BYTES bytes, under the same gunicorn settings.

    BODY_BYTES=24000 gunicorn reference_app:application -c forum/gunicorn.conf.py
"""

import os

_SIZE = int(os.environ.get("BODY_BYTES", "20000"))
_BODY = (b"<!doctype html><title>reference</title><p>" + b"x" * _SIZE)[:_SIZE]
_HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(_BODY)))]


def application(environ, start_response):
    start_response("200 OK", _HEADERS)
    return [_BODY]
