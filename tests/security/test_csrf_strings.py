"""CSRF secrets and masks come from ``forum.lib.csrf``: as uniform as Django's
own, and still the ones Django's middleware uses."""

import collections

from django.http import HttpRequest
from django.middleware import csrf

from forum.lib import csrf as fast_csrf


def test_a_string_has_the_length_and_the_characters_django_expects():
    drawn = {fast_csrf.new_csrf_string() for _ in range(1000)}
    assert len(drawn) == 1000
    for string in drawn:
        assert len(string) == csrf.CSRF_SECRET_LENGTH
        assert set(string) <= set(csrf.CSRF_ALLOWED_CHARS)


def test_every_character_is_equally_likely():
    # 124,000 characters: about 2,000 of each of the 62. Mapping all 256 byte
    # values (without dropping the last 8) would make the first eight
    # characters 25 % likelier, a chi-square near 1,000; a fair draw stays
    # below 150 (df = 61) in all but about one run in a billion.
    counts = collections.Counter("".join(fast_csrf.new_csrf_string() for _ in range(124_000 // 32 + 1))[:124_000])
    expected = 124_000 / len(csrf.CSRF_ALLOWED_CHARS)
    chi_square = sum((counts[c] - expected) ** 2 / expected for c in csrf.CSRF_ALLOWED_CHARS)
    assert chi_square < 150, counts


def test_djangos_get_token_draws_its_secret_and_mask_here(monkeypatch):
    # Fixed "random" bytes make the strings this module draws recognisable.
    monkeypatch.setattr(fast_csrf.os, "urandom", lambda n: bytes(range(n)))
    expected = csrf.CSRF_ALLOWED_CHARS[: csrf.CSRF_SECRET_LENGTH]
    request = HttpRequest()
    token = csrf.get_token(request)
    # A new reader's secret, set as their cookie, and the mask of the token in the page.
    assert request.META["CSRF_COOKIE"] == expected
    assert token[: csrf.CSRF_SECRET_LENGTH] == expected
    assert csrf._unmask_cipher_token(token) == expected
