"""Log lines that hold no client address and that nobody can forge.

The app never logs an address, but its server and libraries can: gunicorn's
error log writes "Invalid request from ip=…" for a malformed request. And a
request's path is logged decoded, so ``%0a`` in it would start a line of the
sender's choosing (``%1b`` a terminal escape, ``%00`` a NUL). ``SafeLines``
blanks every IPv4 and IPv6 address in a record's message and traceback and
writes the message's control characters as escapes; Django's logging
(``settings.LOGGING``) and gunicorn's (``GunicornLogger``, named in
``forum/gunicorn.conf.py``) pass every record through it.
"""

import ipaddress
import logging
import re

from gunicorn.glogging import Logger

REMOVED = "[address removed]"
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d])")
# Anything shaped like an IPv6 address; ``ipaddress`` decides (a time such as 05:43:16 is not one).
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])")


def _blank(match: re.Match) -> str:
    text = match.group()
    address = text.rstrip(":")  # "ip=::1: Bad request" ends the address at the colon
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return text
    return REMOVED + text[len(address) :]


def without_addresses(text: str) -> str:
    return _IPV6.sub(_blank, _IPV4.sub(_blank, text))


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with its control characters (line breaks, escapes, NUL) written as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class SafeLines(logging.Filter):
    # gunicorn's "Listening at: http://127.0.0.1:8000": the server's own address, which the operator needs.
    KEPT = ("Listening at: %s (%s)",)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in self.KEPT:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging reports it when the handler formats the record
            return True
        clean = one_line(without_addresses(message))
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = without_addresses(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = without_addresses(record.exc_text)
        return True


class GunicornLogger(Logger):
    """gunicorn's logger, with no client address and no forged line in its error or access log."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(SafeLines())
