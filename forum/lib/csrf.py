"""CSRF secrets drawn in one call to the system's random source.

Every new reader's first page needs a CSRF secret and a mask for it, both 32
characters long. Django draws each character with its own ``secrets.choice``
(about 30 µs a string here, 60 µs of a cached page's 420 µs). This draws the
same strings, equally uniform and from the same source (``os.urandom``, which
``secrets`` uses), in about 2 µs: random bytes are mapped onto the 62 allowed
characters, dropping the bytes above the largest multiple of 62 so that no
character is likelier than another.

``install()`` puts it in place of Django's private ``_get_new_csrf_string``,
which ``get_token``, the masking of tokens and ``rotate_token`` all call; the
middleware's checks and the cookie are Django's own, unchanged. A test fails
if a Django upgrade stops calling it.
"""

import os

from django.middleware import csrf

_CHARS = csrf.CSRF_ALLOWED_CHARS.encode()
_USABLE = 256 - 256 % len(_CHARS)  # 248: bytes from here on would favour the first characters
_TABLE = bytes(_CHARS[b % len(_CHARS)] for b in range(256))
_DROP = bytes(range(_USABLE, 256))


def new_csrf_string() -> str:
    """A random string of ``CSRF_SECRET_LENGTH`` characters from ``CSRF_ALLOWED_CHARS``."""
    drawn = b""
    while len(drawn) < csrf.CSRF_SECRET_LENGTH:
        drawn += os.urandom(40).translate(_TABLE, _DROP)
    return drawn[: csrf.CSRF_SECRET_LENGTH].decode()


def install() -> None:
    csrf._get_new_csrf_string = new_csrf_string
