"""Reason codes in plain words: short labels for moderators and the transparency
page, and full sentences for the author of the comment."""

from forum.lib.screening import REASON_TEXT

from .models import RejectReason

LABELS = {
    "banned_word": "Banned word",
    "suspect_word": "Suspect word",
    "too_many_links": "Too many links",
    "personal_info": "Personal information",
    "toxicity": "Toxicity filter",
    "premoderation": "Pre-moderation",
    "reports": "Reader reports",
    "unspecified": "No reason recorded",
    **{code: label for code, label in RejectReason.choices if code != "personal_info"},
}

_FOR_AUTHORS = {
    "abuse": "A moderator found it harassing or abusive.",
    "hate": "A moderator found it to be hate speech.",
    "off_topic": "A moderator found it off topic for this debate.",
    "spam": "A moderator found it to be spam or advertising.",
    "illegal": "A moderator found it may be illegal to publish.",
    "misinformation": "A moderator found it deliberately misleading.",
    "other": "A moderator found it breaks the house rules.",
}


def label(code: str) -> str:
    return LABELS.get(code, code.replace("_", " ").capitalize())


def for_author(code: str) -> str:
    """Why a comment was held or rejected, addressed to its author."""
    return REASON_TEXT.get(code) or _FOR_AUTHORS.get(code) or label(code) + "."
