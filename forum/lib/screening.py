"""Automatic screening of a comment: text and context in, verdict and reasons out.

A pure function, free of requests and the database, so that posting through
the page, the API and a re-screen command all reach the same verdict.
"""

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    PUBLISH = "publish"
    HOLD = "hold"
    REJECT = "reject"


@dataclass(frozen=True)
class Context:
    banned_words: Iterable[str] = ()
    suspect_words: Iterable[str] = ()
    max_links: int = 2
    toxicity_threshold: float = 0.85
    toxicity: Callable[[str], float] | None = None
    premoderation: str = "none"  # none | first | all
    is_first_comment: bool = False


@dataclass(frozen=True)
class Verdict:
    action: Action
    reasons: list[str] = field(default_factory=list)


# Characters that show nothing: every format control (zero-width spaces and
# joiners, the byte-order mark, the soft hyphen, direction marks; 163 of them,
# read from the Unicode database once) and the letters and symbols drawn blank.
_INVISIBLE = {
    cp: None
    for cp in range(sys.maxunicode + 1)
    if unicodedata.category(chr(cp)) == "Cf" or chr(cp) in "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0"
}
INVISIBLE_CHARACTERS = "".join(map(chr, _INVISIBLE))


# Format characters that shape the text around them or show themselves: the
# joiners (ZWNJ, ZWJ: Persian words, emoji families), the tags of subdivision
# flags, and the prepended concatenation marks of Arabic, Syriac and Kaithi.
_SHAPING = {0x200C, 0x200D, *range(0xE0020, 0xE0080), *range(0x600, 0x606), 0x6DD, 0x70F, 0x890, 0x891, 0x8E2}
_SHAPING |= {0x110BD, 0x110CD}
_INVISIBLE_BUT_SHAPING = {cp: None for cp in _INVISIBLE if cp not in _SHAPING}


def without_invisible(text: str, *, shaping: bool = False) -> str:
    """``text`` without what shows nothing; with ``shaping``, the format characters that
    shape what is around them stay (see ``_SHAPING``)."""
    return text.translate(_INVISIBLE_BUT_SHAPING if shaping else _INVISIBLE)


def shown_text(text: str) -> str:
    """The text as the checks read it: compatibility characters folded to plain
    ones (full-width and styled letters: full-width "Idiot" is "Idiot") and nothing that
    shows nothing, so that a zero-width space inside a word hides it from no list."""
    return without_invisible(unicodedata.normalize("NFKC", text))


_LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# A phone number: international (+33 6 12 34 56 78), national with its trunk
# zero (06 12 34 56 78, 020 7946 0958) or North American ((555) 123-4567,
# 1-555-123-4567, 5551234567). Not the other numbers a debate about a fine is
# full of: years, amounts (20000000, 12 345 678, 20,000,000, 20 000 000 000),
# dates (2022-10-17, 01.12.2026), decimals, ISBNs.
# static/forum/moderation.js warns with the same pattern.
_PHONE = re.compile(
    r"(?<![\w.,+-])(?<!\d[\s.,])"  # not within a word or a number grouped in thousands (20 000 000 000)
    r"(?!\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?!\d|[\s().-]\d))"  # a date, day or month first
    r"(?!\d*[.,]\d+(?!\d|[\s().-]\d))"  # a decimal
    r"(?:\+\d(?:[\s().-]{0,2}\d){6,14}"
    r"|0(?:[\s().-]{0,2}\d){6,14}"
    r"|(?:1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{4})"
    r"(?!\w|[.,]\d)"
)


def word_pattern(word: str) -> re.Pattern:
    """A whole-word, case-insensitive pattern; ``*`` matches any letters.

    Each wildcard but one closing the word commits to the first place where the
    part after it fits (an atomic group), which is where a match, if any, can
    always be found. So an entry such as ``a*a*a*b`` reads a long run of a's in
    time proportional to it: as plain ``\\w*`` it backtracked through every
    way of splitting the run, for minutes, holding a worker and the comment."""
    parts = [re.escape(p) for p in re.sub(r"\*+", "*", word.strip().lower()).split("*")]
    open_end = len(parts) > 1 and parts[-1] == ""  # ends with a wildcard
    if open_end:
        parts.pop()
    pattern = r"(?<!\w)" + parts[0]
    for i, part in enumerate(parts[1:], start=1):
        if i == len(parts) - 1 and not open_end:
            pattern += r"\w*?" + part  # the last part must end the word: it may look further
        else:
            pattern += r"(?>\w*?" + part + ")"
    return re.compile(pattern + ("" if open_end else r"(?!\w)"), re.IGNORECASE)


def _matches(text: str, words: Iterable[str]) -> list[str]:
    return [w for w in words if w.strip() and word_pattern(w).search(text)]


def _holds_personal_info(shown: str) -> bool:
    """An e-mail address or a phone number in text already read as shown (``shown_text``)."""
    return bool(_EMAIL.search(shown) or _PHONE.search(shown))


def contains_personal_info(text: str) -> bool:
    """An e-mail address or a phone number, read as shown (full-width digits, zero-width spaces)."""
    return _holds_personal_info(shown_text(text))


def screen(text: str, context: Context) -> Verdict:
    """Decide whether a comment publishes at once, waits for a moderator, or is refused."""
    text = shown_text(text)
    banned = _matches(text, context.banned_words)
    if banned:
        return Verdict(Action.REJECT, ["banned_word"])
    reasons = []
    if _matches(text, context.suspect_words):
        reasons.append("suspect_word")
    if len(_LINK.findall(text)) > context.max_links:
        reasons.append("too_many_links")
    if _holds_personal_info(text):  # read as shown above
        reasons.append("personal_info")
    if context.toxicity is not None and context.toxicity(text) >= context.toxicity_threshold:
        reasons.append("toxicity")
    if context.premoderation == "all" or (context.premoderation == "first" and context.is_first_comment):
        reasons.append("premoderation")
    return Verdict(Action.HOLD if reasons else Action.PUBLISH, reasons)


REASON_TEXT = {
    "banned_word": "It contains a word this debate does not allow.",
    "suspect_word": "It contains a word a moderator reviews before publishing.",
    "too_many_links": "It contains more links than a comment may carry without review.",
    "personal_info": "It seems to contain personal information (an e-mail address or a phone number).",
    "toxicity": "Our automatic filter found it may be abusive.",
    "premoderation": "Comments in this debate are reviewed before they appear.",
    "reports": "Several readers reported it.",
}
