"""Database ids in URLs and input: whole numbers the database can hold.

Django's ``int`` path converter and plain ``int()`` take numbers of any length,
and a lookup with one past 2**63 - 1 fails inside the database driver (SQLite:
``OverflowError``; PostgreSQL: out of range), a 500 instead of a 404 or a 400.
"""

from typing import Annotated

from django.urls import register_converter
from pydantic import Field, Strict

# Every id the database hands out is at most 2**63 - 1, which has 19 digits;
# 18 digits leave room to spare and need no arithmetic to check.
MAX_ID = 10**18 - 1


class IdConverter:
    """``<id:name>`` in a URL (``{id:name}`` in the API's): 1 to 18 digits."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


def is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def install() -> None:
    register_converter(IdConverter, "id")


# An id in a JSON body: a whole number in range, never ``true`` or ``"1"``.
JsonId = Annotated[int, Strict(), Field(gt=0, le=MAX_ID)]
