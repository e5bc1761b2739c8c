"""Template filters of the moderation pages."""

import html

from django import template
from django.utils.safestring import SafeString

from ..reasons import LABELS, label

register = template.Library()


@register.filter
def audit_reason(entry) -> str:
    """An audit entry's reason: a decision on a comment records reason codes (one,
    or several joined by commas as screening records them), shown in plain words;
    any other entry records a moderator's own words (a ban's reason, a word-list
    pattern such as "hate"), shown exactly as typed."""
    codes = entry.reason.split(",")
    if entry.action.startswith("comment.") and all(code in LABELS for code in codes):
        return ", ".join(LABELS[code] for code in codes)
    return entry.reason


# allauth's authenticator types, as the audit log names them.
AUTHENTICATORS = {"totp": "authenticator app", "recovery_codes": "recovery codes", "webauthn": "security key"}


@register.filter
def authenticator_label(kind: str) -> str:
    """Which second factor a security.2fa_* entry is about."""
    return AUTHENTICATORS.get(kind, kind)


@register.simple_tag
def reason_badges(codes) -> SafeString:
    """A badge per reason code: its plain words, the code itself on hover.
    The queue's items (``queue_markup``) show the same badges."""
    return SafeString(  # both texts escaped here
        "".join(
            f'<span class="badge badge-reason" title="{html.escape(code)}">{html.escape(label(code))}</span>'
            for code in codes
        )
    )


@register.filter
def short_hash(value: str) -> str:
    """The first eight characters of a keyed network hash: enough to tell bursts apart."""
    return (value or "")[:8]
