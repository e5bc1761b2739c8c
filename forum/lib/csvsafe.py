"""Cells that are safe to open in a spreadsheet.

A CSV or XLSX cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return, which some spreadsheets skip before looking) is run as
a formula when the file is opened: ``=HYPERLINK(...)`` or a DDE payload in a
comment body would then act on the reader's machine (CSV injection, OWASP).
Every CSV and XLSX cell we write goes through ``neutralise``, which puts an
apostrophe in front of such text, the convention spreadsheets themselves use
for "this is text". JSON carries the exact text: it is read by programs, not
evaluated.

We also neutralise text whose first non-blank character is a trigger (some
importers trim leading spaces: any Unicode space, or a character that shows
nothing, may be trimmed too) and the full-width forms of the four signs
(some East Asian spreadsheet locales fold them to ASCII).
"""

import re

from .screening import INVISIBLE_CHARACTERS

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Every white space character (the last is U+3000, the ideographic space), and
# every character that shows nothing (zero-width ones, the BOM, direction marks …).
_LEADING_BLANKS = "".join(chr(cp) for cp in range(0x3001) if chr(cp).isspace()) + INVISIBLE_CHARACTERS

# XML 1.0, and so XLSX, cannot hold these control characters at all.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XLSX_MAX_CELL_CHARS = 32767


_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
_BLANK_SET = frozenset(_LEADING_BLANKS)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula."""
    first = text[:1]
    if first in _TRIGGER_SET:
        return True
    return first in _BLANK_SET and text.lstrip(_LEADING_BLANKS)[:1] in _TRIGGER_SET


def neutralise(value):
    """The value, with text a spreadsheet would evaluate turned into plain text.

    Only text is changed; numbers, dates and booleans are typed cells that no
    spreadsheet evaluates.
    """
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def xlsx_text(text: str) -> str:
    """Neutralised text that an XLSX cell can hold: characters XML 1.0 forbids
    become U+FFFD, and text beyond Excel's 32,767-character cell limit is cut."""
    text = _XML_ILLEGAL.sub("\ufffd", neutralise(text))
    if len(text) > XLSX_MAX_CELL_CHARS:
        text = text[: XLSX_MAX_CELL_CHARS - 1] + "\u2026"
    return text
