"""The API's request parser: JSON as usual, with NUL characters removed from every string.

The documented normalisation removes NUL from what people send, and
PostgreSQL cannot store one in a text column at all: left in a field the
services do not normalise (an idempotency key, a moderator's note), a NUL
would reach the database and fail the request with a 500.
"""

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


class NulFreeParser(Parser):
    def parse_body(self, request):
        return without_nul(super().parse_body(request))

    def parse_querydict(self, data, list_fields, request):
        return without_nul(super().parse_querydict(data, list_fields, request))
