"""The API's request parser: JSON as usual, with NUL characters removed from every string.

The documented normalisation removes NUL from what people send, and
PostgreSQL cannot store one in a text column at all: left in a field the
services do not normalise (an idempotency key, a moderator's note), a NUL
would reach the database and fail the request with a 500.
"""

import json

from ninja.parser import Parser


def without_nul(value):
    """The same JSON value with "\\x00" removed from every string, keys included."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


class BadBody(ValueError):
    """A body the API does not read, with the reason in plain words (``forum/api.py`` answers 400)."""


def _refuse_repeats(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):  # JSON parsers differ on which of two equal keys wins: neither, here
        seen = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise BadBody(f"The field {repeated!r} is given twice.")
    return obj


class NulFreeParser(Parser):
    def parse_body(self, request):
        if request.content_type != "application/json":
            raise BadBody("Send the body as JSON, with the header Content-Type: application/json.")
        try:
            data = json.loads(request.body, object_pairs_hook=_refuse_repeats)
        except BadBody:
            raise
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError alike
            raise BadBody(f"The body is not valid JSON ({error}).") from None
        return without_nul(data)

    def parse_querydict(self, data, list_fields, request):
        return without_nul(super().parse_querydict(data, list_fields, request))
