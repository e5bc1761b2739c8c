"""gunicorn settings for `make run` and production.

No raw IP is ever written to the logs: the access log format leaves out the
client address (%(h)s), and the logger blanks any address in a line, such as
the one gunicorn's error log gives a malformed request (``forum.lib.logs``).
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 20
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
logger_class = "forum.lib.logs.GunicornLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Load the URLconf (with the API and the exports behind it, about 1 s) and
    the toxicity model (about 2 s) once per worker at start, so that no reader's
    first request or first comment waits for them.

    Then everything loaded so far, which lives as long as the worker, is moved
    out of the garbage collector's sight (``gc.freeze``, as the Python docs
    advise for servers): otherwise each full collection walks those hundreds of
    thousands of objects again, which cost a rendered page about 1 ms on average
    (docs/scaling.md)."""
    import gc

    from django.conf import settings
    from django.urls import resolve

    resolve("/")

    if settings.SCREEN_TOXICITY_SCORER:
        from django.utils.module_loading import import_string

        import_string(settings.SCREEN_TOXICITY_SCORER)("warm up")

    gc.collect()
    gc.freeze()
